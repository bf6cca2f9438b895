from enum import StrEnum


class ATHExtensionErrorCode(StrEnum):
    AGENT_ALREADY_REGISTERED = "AGENT_ALREADY_REGISTERED"
    INVALID_REQUEST = "INVALID_REQUEST"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    NOT_FOUND = "NOT_FOUND"
    RATE_LIMITED = "RATE_LIMITED"

    def __str__(self) -> str:
        return str(self.value)
