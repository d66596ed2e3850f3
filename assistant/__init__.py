"""Innovation Partnership Assistant: cited answers on UK innovation partnership practice."""

from assistant.api import Assistant
from assistant.config import Settings, get_settings
from assistant.types import Answer, Chunk, Citation

__all__ = ["Answer", "Assistant", "Chunk", "Citation", "Settings", "get_settings"]
__version__ = "0.1.0"
