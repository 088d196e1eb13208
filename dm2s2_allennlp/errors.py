"""``DataError``: bad input data; the message names the file, the line (or record) and the field."""
from typing import Optional


class DataError(ValueError):
    def __init__(self, where: str, field: Optional[str], problem: str) -> None:
        self.where, self.field, self.problem = where, field, problem
        field_text = f" field {field!r}:" if field else ""
        super().__init__(f"{where}:{field_text} {problem}")
