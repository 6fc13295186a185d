"""One module of claim checks per chapter; :mod:`infoflow.claims` imports them all.

Each module binds every claim id of its chapter to exactly one check: a function decorated with
:func:`infoflow.claims.check`, or a registration through :func:`~infoflow.claims.pending` (the
check is still to be written) or :func:`~infoflow.claims.untestable` (the ledger gives the reason).
"""
