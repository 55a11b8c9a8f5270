"""The one error type services raise. Views map it to a form error, the API to 400/409."""


class DomainError(Exception):
    """A business rule refused the action. `field` names the input at fault, if one is."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def as_dict(self) -> dict:
        if self.field:
            return {self.field: [self.message]}
        return {"detail": self.message}


class ConflictError(DomainError):
    """The action conflicts with the object's state (posting a posted invoice...): HTTP 409."""

    status_code = 409

    def __init__(self, message: str, *, field: str | None = None, code: str = "conflict"):
        super().__init__(message, field=field, code=code)
