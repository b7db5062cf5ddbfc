"""The Cypher that shows each gap on the store.

Every query takes the gap's parameters and returns one row per node of the gap (column
``id``, plus ``name`` and ``labels``), re-checking the gap's condition, so it returns
nothing once the gap is closed. Labels and types come from the ontology; the text is
valid for FalkorDB and Neo4j 5 (no subqueries, no regex, no FalkorDB-only procedures).
"""

from __future__ import annotations

from collections.abc import Iterable

from canal.gaps.schema import GapSchema
from canal.model import ident
from canal.ontology import ROOT_CLASS

E = ROOT_CLASS


def labels(var: str, classes: Iterable[str], schema: GapSchema) -> str:
    """``(v:A OR v:B)`` for the most general of ``classes`` (subclasses carry their ancestors' labels)."""
    cs = sorted(set(classes))
    onto = schema.ontology
    top = [c for c in cs if not any(o != c and onto.is_a(c, o) for o in cs)]
    if not top:
        return "false"
    return "(" + " OR ".join(f"{ident(var)}:{ident(c)}" for c in top) + ")"


def types(schema: GapSchema, *rels: str) -> str:
    """``A|B`` relationship types for ontology relation names."""
    return "|".join(ident(schema.ontology.relation(r).type) for r in rels)


def _ret(expr: str) -> str:
    return (
        f"UNWIND {expr} AS gid\n"
        f"MATCH (g:{E} {{id: gid}})\n"
        "RETURN DISTINCT g.id AS id, g.name AS name, labels(g) AS labels"
    )


def stranded(s: GapSchema) -> str:
    """A technology developed (not by a later-stage developer) and never taken up."""
    later = labels("d", s.later_developer_classes, s)
    return (
        f"MATCH (t:{E} {{id: $id}})<-[r:{types(s, 'develops')}]-(d:{E})\n"
        f"WHERE {labels('t', s.tech_classes, s)}\n"
        f"  AND NOT (t)<-[:{types(s, 'adopts', 'basedOn')}]-()\n"
        f"  AND NOT (t)-[:{types(s, 'transferredTo', 'licensedTo')}]->()\n"
        "WITH t, collect(DISTINCT d) AS devs\n"
        f"WHERE size([d IN devs WHERE {later}]) = 0\n" + _ret("[t.id] + [d IN devs | d.id]")
    )


def missing_pilot(s: GapSchema) -> str:
    """An industrialised technology, never piloted (no platform, no pilot project), with no pilot platform in its regions or fields."""
    platform = labels("p", s.pilot_platform_classes, s)
    return (
        f"MATCH (t:{E} {{id: $id}})\n"
        f"WHERE {labels('t', s.tech_classes, s)} AND NOT (t)-[:{types(s, 'pilotedAt')}]->()\n"
        f"WITH t, size([(t)<-[b:{types(s, 'basedOn')}]-(q) WHERE {labels('q', s.pilot_subject_classes, s)} | q]) AS projects\n"
        "WHERE projects = 0\n"
        f"OPTIONAL MATCH (a:{E})-[r:{types(s, 'adopts')}]->(t)\n"
        "WITH t, collect(DISTINCT a) AS adopters\n"
        f"OPTIONAL MATCH (t)-[x:{types(s, 'transferredTo', 'licensedTo')}]->(b:{E})\n"
        f"WHERE {labels('b', s.adopter_classes, s)}\n"
        "WITH t, adopters, collect(DISTINCT b) AS recipients\n"
        "WITH t, adopters + recipients AS users\n"
        "WHERE size(users) > 0\n"
        "WITH t, users, [u IN users WHERE u.region IS NOT NULL | u.region]\n"
        "  + CASE WHEN t.region IS NULL THEN [] ELSE [t.region] END AS regions\n"
        f"OPTIONAL MATCH (p:{E})\n"
        f"WHERE {platform} AND (p.region IN regions\n"
        "  OR any(f IN coalesce(p.field, []) WHERE f IN coalesce(t.field, [])))\n"
        "WITH t, users, count(p) AS platforms\n"
        "WHERE platforms = 0\n" + _ret("[t.id] + [u IN users | u.id]")
    )


def capital_gap(s: GapSchema) -> str:
    """An adopting enterprise or a pilot project with no investor, fund or grant."""
    return (
        f"MATCH (n:{E} {{id: $id}})\n"
        f"WHERE (({labels('n', s.adopter_classes, s)} AND (n)-[:{types(s, 'adopts')}]->())\n"
        f"    OR {labels('n', s.pilot_subject_classes, s)})\n"
        f"  AND NOT (n)<-[:{types(s, *s.capital_relations)}]-()\n"
        f"  AND NOT (n)-[:{types(s, *s.listing_relations)}]->()\n"
        f"OPTIONAL MATCH (n)-[a:{types(s, 'adopts')}]->(t:{E})\n"
        "WITH n, collect(DISTINCT t.id) AS techs\n" + _ret("[n.id] + techs")
    )


def broken_canal(s: GapSchema) -> str:
    """A research organisation none of whose technologies reaches capital."""
    cap = types(s, *s.capital_relations)
    lst = types(s, *s.listing_relations)
    adopt = types(s, "adopts")
    out = types(s, "transferredTo", "licensedTo")
    based = types(s, "basedOn")
    pilot = labels("p", s.pilot_subject_classes, s)
    return (
        f"MATCH (r:{E} {{id: $id}})-[d:{types(s, 'develops')}]->(t:{E})\n"
        f"WHERE {labels('r', s.research_org_classes, s)} AND {labels('t', s.tech_classes, s)}\n"
        "WITH r, t,\n"
        f"  size([(t)<-[x:{cap}]-(c) | c])\n"
        f"  + size([(t)<-[y:{adopt}]-(o)<-[x:{cap}]-(c) | c])\n"
        f"  + size([(t)<-[y:{adopt}]-(o)-[x:{lst}]->(c) | c])\n"
        f"  + size([(t)-[y:{out}]->(o)<-[x:{cap}]-(c) | c])\n"
        f"  + size([(t)-[y:{out}]->(o)-[x:{lst}]->(c) | c])\n"
        f"  + size([(t)<-[y:{based}]-(p)<-[x:{cap}]-(c) WHERE {pilot} | c]) AS reach\n"
        "WITH r, collect(DISTINCT t.id) AS techs, sum(reach) AS reach\n"
        "WHERE reach = 0\n" + _ret("[r.id] + techs")
    )


def alliance_missing_chain(s: GapSchema, missing: Iterable[str]) -> str:
    """An alliance with no member from each of the ``missing`` chains."""
    conds = " AND ".join(
        f"size([o IN ms WHERE {labels('o', s.chain_classes[ch], s)}]) = 0" for ch in sorted(missing)
    )
    return (
        f"MATCH (a:{E} {{id: $id}})\n"
        f"OPTIONAL MATCH (o:{E})-[m:{types(s, *s.membership_relations)}]->(a)\n"
        "WITH a, collect(DISTINCT o) AS ms\n"
        f"WHERE {conds}\n" + _ret("[a.id] + [o IN ms | o.id]")
    )


def alliance_no_links(s: GapSchema) -> str:
    """An alliance whose members never link to each other beyond membership."""
    return (
        f"MATCH (a:{E} {{id: $id}})<-[m:{types(s, *s.membership_relations)}]-(o:{E})\n"
        "WITH a, collect(DISTINCT o.id) AS ids\n"
        "WHERE size(ids) >= 2\n"
        f"OPTIONAL MATCH (x:{E})-[r]-(y:{E})\n"
        "WHERE x.id IN ids AND y.id IN ids AND x.id <> y.id\n"
        "WITH a, ids, count(r) AS ties\n"
        "WHERE ties = 0\n" + _ret("[a.id] + ids")
    )


def _in_scope(var: str, s: GapSchema, scope_kind: str) -> str:
    if scope_kind == "region":
        return f"{var}.region = $region"
    return f"({var})-[:{types(s, *s.membership_relations)}]->(:{E} {{id: $alliance}})"


def segment_gap(s: GapSchema, scope_kind: str) -> str:
    """A segment with no enterprise in a region or alliance where a neighbouring segment has one."""
    member = labels("e", s.segment_member_classes, s)
    member_f = labels("f", s.segment_member_classes, s)
    seg = labels("n", s.segment_classes, s)
    part = types(s, "partOfSegment")
    return (
        f"MATCH (m:{E} {{id: $id}})\n"
        f"WHERE {labels('m', s.segment_classes, s)}\n"
        f"OPTIONAL MATCH (e:{E})-[p:{part}]->(m)\n"
        f"WHERE {member} AND {_in_scope('e', s, scope_kind)}\n"
        "WITH m, count(p) AS inside\n"
        "WHERE inside = 0\n"
        f"MATCH (m)-[u:{types(s, 'upstreamOf')}]-(n:{E})<-[q:{part}]-(f:{E})\n"
        f"WHERE {seg} AND {member_f} AND {_in_scope('f', s, scope_kind)}\n"
        "WITH m, collect(DISTINCT n.id) AS present\n" + _ret("[m.id] + present")
    )


def segment_empty(s: GapSchema) -> str:
    """A segment with no enterprise anywhere in the graph."""
    member = labels("e", s.segment_member_classes, s)
    return (
        f"MATCH (m:{E} {{id: $id}})\n"
        f"WHERE {labels('m', s.segment_classes, s)}\n"
        f"OPTIONAL MATCH (e:{E})-[p:{types(s, 'partOfSegment')}]->(m)\n"
        f"WHERE {member}\n"
        "WITH m, count(p) AS inside\n"
        "WHERE inside = 0\n" + _ret("[m.id]")
    )


def node_set() -> str:
    """The gap's nodes (found by a graph algorithm) with the ties among them."""
    return (
        f"MATCH (g:{E})\n"
        "WHERE g.id IN $ids\n"
        f"OPTIONAL MATCH (g)-[r]-(h:{E})\n"
        "WHERE h.id IN $ids\n"
        "RETURN g.id AS id, g.name AS name, labels(g) AS labels, collect(DISTINCT h.id) AS linked"
    )
