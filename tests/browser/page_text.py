"""What no page may show (issue 14, "Done when"): an internal code (a status, mode or role as stored, a
message or field code such as `communications.0.at`), a Python repr (`{'user_id': …}`, `None`), an
English word on a French page, or a number in English format on a French page (42.50 km, $82.00).

`problems(text, lang)` is the check over a page's visible text; `visible_text(page)` reads it from the
browser (text in an element marked with another language, such as the "English" switch, is left
out); `html_text(html)` reads it from a page's HTML, for pages fetched again after the journey."""
from __future__ import annotations

import re
from html.parser import HTMLParser

from services.auth.contract.vocabulary import ROLES
from services.booking.contract.vocabulary import MODES, STATUSES

# Stored words that only a code would show (a French label differs from each).
CODES = sorted(set(STATUSES) | set(MODES) | set(ROLES) | {"provisional", "final_amount", "in_review"})
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")                      # service_provided, overtime_reason
DOTTED = re.compile(r"\b[a-z]+(?:\.[a-z_0-9]+)+\b")                   # booking.not_found, communications.0.at
REPR = re.compile(r"\{'|\['|': |\bTrue\b|\bFalse\b|\bnull\b|\bundefined\b|\bNaN\b|<[a-z_.]+ object at|"
                  r"\bDecimal\(|\bdatetime\.")
# English words that are not French words too, as a page would show them untranslated.
ENGLISH = ("the", "and", "of", "with", "your", "booking", "bookings", "pending", "booked", "closed",
           "cancelled", "provided", "submit", "save", "error", "not found", "invalid", "required",
           "interpreter", "requester", "coordinator", "remuneration", "statement", "period", "hours",
           "open booking", "update", "back", "next", "previous", "page not found", "sign in", "password")
ENGLISH_RE = re.compile(r"\b(" + "|".join(re.escape(w) for w in ENGLISH) + r")\b", re.IGNORECASE)
NONE = re.compile(r"\bNone\b")        # Python's None; in English also the word ("Attachments: None")
ENGLISH_NUMBER = re.compile(r"\b\d+\.\d+ ?(?:km|\$|h\b|min\b)|\$\d")
# What may look like a code but is not: addresses, links, file names, the names of the week.
ALLOWED = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|https?://\S+|\b[\w-]+\.(?:png|jpe?g|pdf|heic|csv|ics)\b|"
                     r"\bwww\.\S+|\b(?:e\.g|i\.e)\.", re.IGNORECASE)


def problems(text: str, lang: str = "fr") -> list[str]:
    """Each offending piece of `text` (a page's visible text), named by what it is."""
    text = ALLOWED.sub(" ", text)
    found = [f"code {m}" for m in SNAKE.findall(text)]
    found += [f"code {m}" for m in DOTTED.findall(text)]
    found += [f"repr {m.group(0)!r}" for m in REPR.finditer(text)]
    if lang == "fr":       # in English, "phone", "pending" or "None" is a word as well as a code
        found += [f"code {w}" for w in re.findall(r"\b[a-z_]+\b", text) if w in CODES]
        found += [f"repr {m.group(0)!r}" for m in NONE.finditer(text)]
        found += [f"English word {m.group(0)!r}" for m in ENGLISH_RE.finditer(text)]
        found += [f"English number {m.group(0)!r}" for m in ENGLISH_NUMBER.finditer(text)]
    return list(dict.fromkeys(found))


VISIBLE_TEXT = """() => {
  const other = [...document.querySelectorAll('[lang]')].filter(e => e !== document.documentElement
      && !e.getAttribute('lang').startsWith(document.documentElement.lang));
  let text = document.body.innerText;
  for (const e of other) text = text.split(e.innerText).join(' ');
  const values = [...document.querySelectorAll('input[type=submit], input[type=button], [placeholder], [title], [aria-label]')]
      .map(e => [e.value, e.getAttribute('placeholder'), e.getAttribute('title'), e.getAttribute('aria-label')]
      .filter(Boolean).join(' '));
  return {lang: document.documentElement.lang, text: text + '\\n' + values.join('\\n'), title: document.title};
}"""


def visible_text(page) -> tuple[str, str]:
    """(the page's language, its visible text with button values, placeholders, titles and labels)."""
    seen = page.evaluate(VISIBLE_TEXT)
    return seen["lang"], seen["title"] + "\n" + seen["text"]


def check_page(page) -> None:
    lang, text = visible_text(page)
    found = problems(text, lang)
    assert not found, f"{page.url}: {found}"


class _Text(HTMLParser):
    """The text a person reads in server-rendered HTML: no script, style or hidden input, nothing in an
    element marked with another language than the page's; titles, labels and placeholders included."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__()
        self.lang, self.parts, self.stack = "fr", [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang") or "fr"
            return
        skip = tag in ("script", "style") or (a.get("lang") and not a["lang"].startswith(self.lang))
        for name in ("title", "aria-label", "placeholder"):
            if a.get(name) and not skip:
                self.parts.append(a[name])
        if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
            self.parts.append(a["value"])
        if tag not in self.VOID:
            self.stack.append(skip or bool(self.stack and self.stack[-1]))

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def html_text(html: str) -> tuple[str, str]:
    """(the page's language, the text a person reads in it)."""
    parser = _Text()
    parser.feed(html)
    return parser.lang, " ".join(" ".join(parser.parts).split())
