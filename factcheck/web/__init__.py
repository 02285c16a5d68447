"""Web: what readers and programs use without signing in.

The public pages, the verify API (its schemas generate the OpenAPI document), the service
function that checks a claim with the app's index (``checks``), the check log, and the per-client
rate limit. Views are thin: validate, call one function, render. May import every layer below it
and ``extensions``; never ``review`` or ``commands``.
"""
