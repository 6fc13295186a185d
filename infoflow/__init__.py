"""infoflow: the code behind the *WeChat information flows* book."""

__version__ = "0.1.0"
