from enum import StrEnum


class ConsentCompletionStatus(StrEnum):
    AUTHORIZED = "authorized"
    DENIED = "denied"
    FAILED = "failed"

    def __str__(self) -> str:
        return str(self.value)
