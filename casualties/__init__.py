"""casualties: extract, normalise and reconcile casualty figures from news articles.

    >>> import casualties
    >>> figures = casualties.extract_text("قتل 12 مدنياً في قصف على إدلب", lang="ar")
    >>> figures[0].low, figures[0].outcome
    (12, 'killed')
"""
__version__ = "0.1.0"

from .api import extract_articles, extract_figures, extract_text, reconcile, run  # noqa: E402

__all__ = ["extract_articles", "extract_figures", "extract_text", "reconcile", "run", "__version__"]
