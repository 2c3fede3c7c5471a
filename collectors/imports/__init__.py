"""File imports: a LinkedIn data-export archive and a documented JSONL format.

Both validate everything first and write in one transaction (``Store.save_batch``);
with ``skip_invalid=False`` a single invalid row means nothing is written.
"""

from collectors.imports.common import ImportReport, RowError
from collectors.imports.jsonl import import_jsonl, read_jsonl
from collectors.imports.linkedin import import_linkedin, read_linkedin_export

__all__ = ["ImportReport", "RowError", "import_jsonl", "import_linkedin", "read_jsonl", "read_linkedin_export"]
