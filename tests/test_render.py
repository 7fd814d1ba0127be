"""fa_relations.render without a browser: the HTML is parsed and checked against the documents it draws."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

import fa_relations
from fa_relations import Argument, Document, Entity, Mention, Triple

VOID = {"meta", "br", "img", "input", "link", "hr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self):
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        return [n for n in self.iter() if (tag is None or n.tag == tag)
                and (cls is None or cls in n.attrs.get("class", "").split())]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        assert self.stack[-1].tag == tag, f"</{tag}> closes <{self.stack[-1].tag}>"
        self.stack.pop()

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(markup: str) -> Node:
    b = _TreeBuilder()
    b.feed(markup)
    b.close()
    assert b.stack == [b.root], "unclosed elements"
    return b.root


@pytest.fixture(scope="module")
def nlp():
    return fa_relations.load()


@pytest.fixture(scope="module")
def seed_doc(nlp, seed_article) -> Document:
    return nlp(seed_article, id="seed")


def by_id(section: Node, ident: str) -> list[Node]:
    text = section.find_all("div", "fa-text")[0]
    return [n for n in text.iter() if ident in n.attrs.get("data-ids", "").split()]


def test_seed_article_every_entity_and_triple_is_drawn_right_to_left(seed_doc):
    assert seed_doc.entities and seed_doc.triples
    tree = parse(fa_relations.render(seed_doc))
    (section,) = tree.find_all("section", "fa-doc")
    (text,) = section.find_all("div", "fa-text")
    assert text.attrs["dir"] == "rtl" and text.attrs["lang"] == "fa"
    assert text.text() == seed_doc.text  # every character, once, in order
    marks = text.find_all("mark", "fa-ent")
    assert [(m.text(), m.attrs["data-label"]) for m in marks] == [(e.text, e.label) for e in seed_doc.entities]
    for m, e in zip(marks, seed_doc.entities, strict=True):
        assert f"fa-l-{e.label}" in m.attrs["class"]
        assert all(x in m.attrs["title"] for x in (e.iso, e.canonical) if x)
    items = section.find_all("li", "fa-triple")
    assert [li.find_all(cls="fa-pred")[0].text() for li in items] == [t.predicate for t in seed_doc.triples]
    for li, t in zip(items, seed_doc.triples, strict=True):
        for attr, arg in (("data-subj", t.subject), ("data-obj", t.object)):
            ids = li.attrs[attr].split()
            want = [arg.text] + ([arg.resolved_from.text] if arg.resolved_from else [])
            assert ["".join(n.text() for n in by_id(section, i)) for i in ids] == want
        assert len(li.attrs["data-ev"].split()) == len({(e.start, e.end) for e in t.evidence})
    assert any(t.object.label == "QUOTE" for t in seed_doc.triples)  # non-entity arguments are exercised
    assert any(t.subject.resolved_from or t.object.resolved_from for t in seed_doc.triples)


def test_text_is_escaped_and_the_only_script_is_ours(nlp):
    text = '<script>alert("x")</script> اسحاق هرتزوگ & <b>الهام علی‌اف</b> وارد باکو شد.'
    doc = nlp(text, id='<img src=x onerror="alert(1)">')
    markup = fa_relations.render(doc)
    assert "<script>alert" not in markup and "<b>" not in markup and "<img" not in markup
    tree = parse(markup)
    assert len(tree.find_all("script")) == 1 and len(tree.find_all("b")) == 0
    assert tree.find_all("div", "fa-text")[0].text() == text
    assert tree.find_all("div", "fa-id")[0].text() == doc.id


def test_page_and_fragment(seed_doc):
    page = fa_relations.render(seed_doc, page=True)
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    tree = parse(page)
    (root,) = tree.find_all("html")
    assert root.attrs["dir"] == "rtl" and root.attrs["lang"] == "fa"
    assert "http://" not in page and "https://" not in page and "@import" not in page  # no external assets
    fragment = fa_relations.render(seed_doc)
    assert not fragment.lstrip().startswith("<!DOCTYPE") and "<html" not in fragment
    assert seed_doc._repr_html_() == fragment


def test_a_list_of_documents_and_records_render_one_after_another(nlp):
    docs = [nlp("اسحاق هرتزوگ وارد باکو شد.", id="a"), nlp("وزیر امور خارجه ایران به مسکو سفر کرد.", id="b")]
    tree = parse(fa_relations.render(docs))
    sections = tree.find_all("section", "fa-doc")
    assert [s.find_all("div", "fa-text")[0].text() for s in sections] == [d.text for d in docs]
    assert fa_relations.render([d.to_dict() for d in docs]) == fa_relations.render(docs)


def test_entities_style_has_no_triples(seed_doc):
    tree = parse(fa_relations.render(seed_doc, style="entities"))
    assert not tree.find_all("li") and not tree.find_all(cls="fa-span")
    assert len(tree.find_all("mark", "fa-ent")) == len(seed_doc.entities)
    with pytest.raises(ValueError, match="style"):
        fa_relations.render(seed_doc, style="arcs")


def test_overlapping_entities_and_odd_labels_do_not_break_the_drawing():
    text = "وزارت امور خارجه ایران اعلام کرد."
    outer = Entity("وزارت امور خارجه ایران", "ORG", 0, 22)
    inner = Entity("ایران", "COUNTRY", 17, 22, iso="IR")
    crossing = Entity("خارجه ایران اعلام", "WEIRD<LABEL>", 11, 28)
    bad = Entity("?", "PER", 30, 99)  # offsets outside the text
    t = Triple(Argument.from_entity(inner), "member_of", Argument.from_entity(outer),
               evidence=[Mention("اعلام", 23, 28)])
    doc = Document(text=text, entities=[outer, inner, crossing, bad], triples=[t])
    tree = parse(fa_relations.render(doc))
    (section,) = tree.find_all("section", "fa-doc")
    assert section.find_all("div", "fa-text")[0].text() == text
    assert [m.text() for m in section.find_all("mark")] == [outer.text]  # the outermost one
    (li,) = section.find_all("li", "fa-triple")
    assert ["".join(n.text() for n in by_id(section, i)) for i in li.attrs["data-subj"].split()] == ["ایران"]
    assert "".join(n.text() for n in by_id(section, li.attrs["data-ev"])) == "اعلام"
    legend = [k.text() for k in tree.find_all(cls="fa-key")]
    assert "WEIRD<LABEL>" in legend and all("<" not in k.attrs["class"] for k in tree.find_all(cls="fa-key"))
