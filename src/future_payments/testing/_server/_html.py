"""The shared page frame: one inline stylesheet, no scripts, no external assets."""

from __future__ import annotations

from html import escape

import attrs

_STYLE = """
:root { color-scheme: light; --accent: #635bff; --error: #df1b41; --muted: #6a7383; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #1a1f36; background: #f6f9fc; }
main { max-width: 44rem; margin: 2rem auto; padding: 2rem; background: #fff;
  border-radius: 12px; box-shadow: 0 2px 12px rgba(50, 50, 93, .12); }
h1 { font-size: 1.5rem; margin: .25rem 0 .5rem; }
h2 { font-size: 1.1rem; margin: 2rem 0 .5rem; }
.badge { display: inline-block; margin: 0; padding: 0 .5rem; border-radius: 4px;
  background: #ffde92; color: #5c3b00; font-size: .75rem; font-weight: 700;
  letter-spacing: .05em; }
.muted { color: var(--muted); }
fieldset { border: 0; padding: 0; margin: 1rem 0; }
legend { font-weight: 600; margin-bottom: .25rem; }
label { display: block; margin-top: .75rem; font-weight: 500; }
label.choice { display: inline-flex; gap: .4rem; align-items: center; margin-right: 1.25rem;
  font-weight: 400; }
input[type=text] { display: block; width: 100%; margin-top: .25rem; padding: .6rem .75rem;
  font: inherit; border: 1px solid #c0c8d2; border-radius: 6px; }
input[aria-invalid=true] { border-color: var(--error); }
.row { display: flex; gap: 1rem; }
.row > div { flex: 1; }
.field-error, .form-error { color: var(--error); margin: .25rem 0 0; min-height: 0; }
.form-error:empty, .field-error:empty { display: none; }
button, .button { display: inline-block; margin-top: 1.25rem; padding: .7rem 1.5rem;
  font: inherit; font-weight: 600; color: #fff; background: var(--accent); border: 0;
  border-radius: 6px; cursor: pointer; text-decoration: none; }
button.secondary { color: #1a1f36; background: #e3e8ee; }
button.wide { width: 100%; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid #0055d4; outline-offset: 2px; }
table { width: 100%; border-collapse: collapse; font-size: .9rem; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #e3e8ee;
  vertical-align: top; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; white-space: nowrap; }
footer { margin-top: 2rem; font-size: .8rem; color: var(--muted); }
main.wide { max-width: 84rem; }
.nowrap { white-space: nowrap; }
nav.tabs { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; margin: .75rem 0 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
pre { overflow-x: auto; background: #f6f9fc; padding: .75rem 1rem; border-radius: 6px;
  font-size: .8rem; line-height: 1.45; }
pre code { white-space: pre; }
form.inline { display: inline; margin: 0; }
.scroll { overflow-x: auto; }
caption { caption-side: top; text-align: left; padding: .25rem 0; }
button.small { margin: 0; padding: .15rem .6rem; font-size: .8rem; font-weight: 500; }
.notice { background: #e6f4ea; color: #0d4f25; padding: .5rem .75rem; border-radius: 6px; }
"""

# Forms may POST and then be redirected to the app's own success_url, so no form-action rule.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
)


HTML = "text/html; charset=utf-8"


@attrs.frozen
class Response:
    """An answer from a page: status, body (or empty), a redirect target, the content type."""

    status: int
    body: bytes = b""
    location: str | None = None
    content_type: str = HTML


def redirect(location: str) -> Response:
    """``303 See Other``: the browser GETs ``location`` next."""
    return Response(303, location=location)


def page(title: str, body: str, *, wide: bool = False) -> bytes:
    """A whole HTML document around ``body`` (already escaped where it must be)."""
    main = '<main class="wide">' if wide else "<main>"
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>\n"
        f"<body>{main}\n{body}\n"
        "<footer>FakeStripe, a local fake of Stripe for tests: not a real payment page, "
        "nothing is charged.</footer>\n</main></body></html>\n"
    ).encode()


def message_page(title: str, text: str, link: tuple[str, str] | None = None) -> bytes:
    """A page that only says something, with an optional ``(href, label)`` link onwards."""
    onward = ""
    if link is not None:
        onward = (
            f'<p><a class="button" href="{escape(link[0])}" autofocus>{escape(link[1])}</a></p>'
        )
    body = (
        f'<p class="badge">TEST MODE</p><h1>{escape(title)}</h1>'
        f'<p role="status">{escape(text)}</p>{onward}'
    )
    return page(title, body)
