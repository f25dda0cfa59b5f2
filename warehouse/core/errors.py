"""Errors the pipeline raises on purpose. ``BadDataError`` and its children mean the input is wrong:
retrying cannot help, so Airflow tasks fail at once instead of retrying."""


class PipelineError(Exception):
    """Something stopped the pipeline; the published warehouse is untouched."""


class ExtractError(PipelineError):
    """A download failed or was refused (HTML error page, truncated body, too many retries).
    Nothing was landed."""


class BadDataError(PipelineError):
    """The input breaks its contract or its quality suite. Fix the file, not the code."""


class ContractError(BadDataError):
    """The file cannot be read as its contract says: encoding, columns, types."""


class QualityError(BadDataError):
    """The file parsed but failed its Great Expectations suite."""
