"""kfix: detect, fix, verify and schedule Kubernetes misconfiguration fixes.

The compiled extension ``kfix._core`` binds the C++ API; this package
re-exports a typed, Pythonic surface over it.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
