"""A small in-memory triple set for the generator: the part of rdflib's Graph it uses, at dict speed.

Writing 100,000 articles through rdflib's Memory store spent most of the time in its three
indexes and namespace bindings; the generator only adds, looks up by subject and rarely removes.
Iteration follows insertion order, as rdflib's store does, so a seed gives the same corpus.
"""

from __future__ import annotations

from collections.abc import Iterator

from orgkg.formatting import TripleSource

Triple = tuple


class Triples(TripleSource):
    """Triples indexed subject -> predicate -> objects (dicts keep insertion order)."""

    def __init__(self) -> None:
        self._spo: dict = {}
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, triple: Triple) -> None:
        s, p, o = triple
        objects = self._spo.setdefault(s, {}).setdefault(p, {})
        if o not in objects:
            objects[o] = None
            self._count += 1

    def remove(self, pattern: Triple) -> None:
        for s, p, o in list(self.triples(pattern)):
            predicates = self._spo[s]
            del predicates[p][o]
            self._count -= 1
            if not predicates[p]:
                del predicates[p]
            if not predicates:
                del self._spo[s]

    def set(self, triple: Triple) -> None:
        """Replace every object of (subject, predicate) by the one given."""
        s, p, _ = triple
        self.remove((s, p, None))
        self.add(triple)

    def triples(self, pattern: Triple) -> Iterator[Triple]:
        s, p, o = pattern
        subjects = self._spo.items() if s is None else [(s, self._spo.get(s, {}))]
        for subject, predicates in subjects:
            pairs = predicates.items() if p is None else [(p, predicates.get(p, {}))]
            for predicate, objects in pairs:
                if o is None:
                    yield from ((subject, predicate, obj) for obj in objects)
                elif o in objects:
                    yield subject, predicate, o

    def __contains__(self, pattern: Triple) -> bool:
        return next(self.triples(pattern), None) is not None

    def subjects(self, predicate=None, obj=None) -> Iterator:
        return (s for s, _, _ in self.triples((None, predicate, obj)))

    def predicates(self, subject=None, obj=None) -> Iterator:
        if subject is not None and obj is None:  # the writer's question, once per subject
            return iter(list(self._spo.get(subject, ())))
        return (p for _, p, _ in self.triples((subject, None, obj)))

    def objects(self, subject=None, predicate=None) -> Iterator:
        if subject is not None and predicate is not None:
            return iter(list(self._spo.get(subject, {}).get(predicate, ())))
        return (o for _, _, o in self.triples((subject, predicate, None)))

    def predicate_objects(self, subject=None) -> Iterator:
        return ((p, o) for _, p, o in self.triples((subject, None, None)))

    def value(self, subject, predicate):
        return next(iter(self._spo.get(subject, {}).get(predicate, ())), None)
