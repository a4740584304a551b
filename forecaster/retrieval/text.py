"""Plain-text helpers: splitting documents into passages, key terms of a question, wikitext to text."""

from __future__ import annotations

import re

_HEADING = re.compile(r"^\s*(=+)\s*(.*?)\s*\1\s*$|^\s*#+\s+(.*)$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_MIN_PASSAGE_CHARS = 20

_STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below between
    both but by can could did do does doing down during each end few for from further had has have having he her
    here hers him his how i if in into is it its itself just least less many may me might more most much must my
    no nor not now of off on once only or other our out over own per same shall she should so some such than that
    the their them then there these they this those through to too under until up upon very was we were what when
    where whether which while who whom why will with within without would yes you your resolve resolves resolved
    happen occur question""".split()
)


def split_passages(text: str, max_chars: int) -> list[str]:
    """Split text into passages of at most `max_chars`, cutting at paragraphs, then sentences, then words."""
    pieces: list[str] = []
    for line in text.splitlines():
        line = _plain_heading(line).strip()
        if line:
            pieces.extend(_fit(line, max_chars))
    passages: list[str] = []
    current = ""
    for piece in pieces:
        if current and len(current) + 1 + len(piece) > max_chars:
            passages.append(current)
            current = piece
        else:
            current = f"{current}\n{piece}" if current else piece
    if current:
        passages.append(current)
    return [p for p in passages if len(p) >= _MIN_PASSAGE_CHARS]


def _plain_heading(line: str) -> str:
    match = _HEADING.match(line)
    if not match:
        return line
    return match.group(2) if match.group(2) is not None else match.group(3)


def _fit(paragraph: str, max_chars: int) -> list[str]:
    if len(paragraph) <= max_chars:
        return [paragraph]
    out: list[str] = []
    for sentence in _SENTENCE_END.split(paragraph):
        if len(sentence) <= max_chars:
            out.append(sentence)
        else:
            out.extend(_cut_words(sentence, max_chars))
    return out


def _cut_words(sentence: str, max_chars: int) -> list[str]:
    out: list[str] = []
    current = ""
    for word in sentence.split():
        while len(word) > max_chars:
            if current:
                out.append(current)
                current = ""
            out.append(word[:max_chars])
            word = word[max_chars:]
        if current and len(current) + 1 + len(word) > max_chars:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        out.append(current)
    return out


def key_terms(question: str, limit: int = 8) -> list[str]:
    """The question's content words in order (stopwords and duplicates dropped), at most `limit`."""
    terms: list[str] = []
    seen: set[str] = set()
    for token in re.findall(r"[A-Za-z0-9][A-Za-z0-9'\-.&]*", question):
        token = token.rstrip(".'-")
        low = token.lower()
        if not token or low in _STOPWORDS or low in seen or (len(token) < 2 and not token.isdigit()):
            continue
        seen.add(low)
        terms.append(token)
    return terms[:limit]


def wikitext_to_text(wikitext: str) -> str:
    """Readable text from MediaWiki markup: templates, tables, refs and markup dropped, link labels kept."""
    text = re.sub(r"<!--.*?-->", "", wikitext, flags=re.S)
    text = re.sub(r"<ref[^>/]*/>", "", text)
    text = re.sub(r"<ref[^>]*>.*?</ref>", "", text, flags=re.S)
    text = _drop_nested(text, "{{", "}}")
    text = _drop_nested(text, "{|", "|}")
    text = re.sub(r"\[\[(?:File|Image|Category):[^\[\]]*(?:\[\[[^\]]*\]\][^\[\]]*)*\]\]", "", text, flags=re.I)
    text = re.sub(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]", r"\1", text)
    text = re.sub(r"\[https?://\S+\s+([^\]]*)\]", r"\1", text)
    text = re.sub(r"\[https?://\S+\]", "", text)
    text = re.sub(r"'{2,}", "", text)
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _drop_nested(text: str, opening: str, closing: str) -> str:
    pattern = re.compile(re.escape(opening) + r"(?:(?!" + re.escape(opening) + r").)*?" + re.escape(closing), re.S)
    while True:
        text, count = pattern.subn("", text)
        if not count:
            return text
