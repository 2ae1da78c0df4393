"""Load the self-assessment's question set (and reference figures) from the JSON files in the repository."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load a question set (default: settings.DTC_ASSESSMENT_QUESTIONSET) and publish it. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--directory", type=Path, help="A folder with context.json and principle-N.json.")
        parser.add_argument("--draft", action="store_true", help="Load as a draft instead of publishing it.")

    def handle(self, *args, directory: Path | None = None, draft: bool = False, **options):
        from dtc.assessment.services import questionset_load, reference_figures_load

        question_set, created = questionset_load(directory=directory, publish=not draft)
        figures = reference_figures_load()
        self.stdout.write(json.dumps({
            "version": question_set.version, "created": created, "status": question_set.status,
            "questions": question_set.questions.count(), "reference_figures": figures,
        }))
