"""infoflow: the code behind the *WeChat information flows* book.

Importing the package limits the BLAS libraries of numpy and scipy to one thread.  The book's
models make many small linear-algebra calls (two- to six-parameter likelihood fits), for which a
BLAS thread pool only adds synchronisation: on a busy 2-core machine a batch of L-BFGS-B fits ran
30 times slower with two BLAS threads than with one.  One thread also makes floating-point sums
independent of the thread count, so two runs give the same numbers.
"""

import scipy.linalg  # noqa: F401  (loads scipy's own BLAS, so that the limit below reaches it too)
from threadpoolctl import threadpool_limits

threadpool_limits(limits=1, user_api="blas")

__version__ = "0.1.0"
