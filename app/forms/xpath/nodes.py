"""The tree that XPath expressions walk: a form's instance and its secondary instances.

A deliberately small DOM: elements with a name, a text value, attributes and
children. Form sessions mutate it; expressions only read it. A node that is not
relevant reads as empty, as in ODK Collect and Enketo.
"""

from __future__ import annotations


class Node:
    """An element (or the document root when ``name`` is "#document")."""

    __slots__ = ("name", "parent", "children", "value", "attrs", "relevant", "bind", "__weakref__")

    def __init__(self, name: str, parent: Node | None = None, value: str = ""):
        self.name = name
        self.parent = parent
        self.children: list[Node] = []
        self.value = value
        self.attrs: dict[str, str] = {}
        self.relevant = True
        self.bind = None  # the form's Bind for this node, set by the session

    # -- tree building
    def append(self, child: Node) -> Node:
        child.parent = self
        self.children.append(child)
        return child

    def add(self, name: str, value: str = "") -> Node:
        return self.append(Node(name, self, value))

    def child(self, name: str) -> Node | None:
        for c in self.children:
            if c.name == name:
                return c
        return None

    def clone(self, parent: Node | None = None) -> Node:
        copy = Node(self.name, parent, self.value)
        copy.attrs = dict(self.attrs)
        copy.bind = self.bind
        copy.children = [c.clone(copy) for c in self.children]
        return copy

    # -- reading
    @property
    def is_document(self) -> bool:
        return self.parent is None and self.name == "#document"

    def string_value(self) -> str:
        if not self.relevant:
            return ""
        if not self.children:
            return self.value
        return "".join(c.string_value() for c in self.children)

    def ancestors(self) -> list[Node]:
        """Ancestors from the document down to (not including) this node."""
        chain = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        chain.reverse()
        return chain

    def order_key(self) -> tuple[int, ...]:
        """A key that sorts nodes of one tree in document order."""
        key = []
        node = self
        while node.parent is not None:
            key.append(node.parent.children.index(node))
            node = node.parent
        key.reverse()
        return tuple(key)

    def path(self) -> str:
        """The absolute path with 1-based positions for repeated names, e.g. /data/kids[2]/name."""
        parts = []
        node = self
        while node.parent is not None:
            siblings = [c for c in node.parent.children if c.name == node.name]
            if node in siblings and len(siblings) > 1:
                parts.append(f"{node.name}[{siblings.index(node) + 1}]")
            else:
                parts.append(node.name)
            node = node.parent
        return "/" + "/".join(reversed(parts))

    def generic_path(self) -> str:
        """The absolute path without positions, e.g. /data/kids/name."""
        parts = []
        node = self
        while node.parent is not None:
            parts.append(node.name)
            node = node.parent
        return "/" + "/".join(reversed(parts))

    def iter(self):
        """This node and its descendants, in document order."""
        yield self
        for c in self.children:
            yield from c.iter()

    def __repr__(self) -> str:
        return f"<Node {self.path()} {self.value!r}>"


class Attr:
    """An attribute, reachable with ``@name``."""

    __slots__ = ("name", "parent", "value", "relevant", "children")

    def __init__(self, name: str, parent: Node, value: str):
        self.name, self.parent, self.value = name, parent, value
        self.relevant = True
        self.children = ()

    def string_value(self) -> str:
        return self.value

    def order_key(self) -> tuple[int, ...]:
        return (*self.parent.order_key(), -1)


def document(root: Node) -> Node:
    """Wrap a root element in a document node so ``/root/...`` paths work."""
    doc = Node("#document")
    doc.append(root)
    return doc


def from_xml(element, parent: Node | None = None) -> Node:
    """Build a Node tree from an lxml element (namespaces dropped from names)."""
    from lxml import etree  # lxml parses XML only; evaluation is ours

    name = etree.QName(element).localname
    node = Node(name, parent)
    for key, value in element.attrib.items():
        node.attrs[etree.QName(key).localname] = value
    kids = [c for c in element if isinstance(c.tag, str)]
    if kids:
        for c in kids:
            node.append(from_xml(c, node))
    else:
        text = element.text or ""
        node.value = text if text.strip() else ""
    return node
