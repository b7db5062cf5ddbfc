"""The Cypher that shows each gap on the store.

Every query takes the gap's parameters and returns one row per node of the gap (column
``id``, plus ``name`` and ``labels``), re-checking the gap's condition, so it returns
nothing once the gap is closed. Labels and types come from the ontology; the text is
valid for FalkorDB and Neo4j 5 (no subqueries, no regex, no FalkorDB-only procedures).
"""

from __future__ import annotations

from collections.abc import Iterable

from canal.gaps.schema import TIE_RELATIONS, GapSchema
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
        f"  AND NOT (t)-[:{types(s, 'transferredTo', 'licensedTo', 'pilotedAt')}]->()\n"
        "WITH t, collect(DISTINCT d) AS devs\n"
        f"WHERE size([d IN devs WHERE {later}]) = 0\n" + _ret("[t.id] + [d IN devs | d.id]")
    )


def missing_pilot(s: GapSchema) -> str:
    """An industrialised technology, never piloted (no platform, no pilot project), with no pilot platform in its regions or fields."""
    platform = labels("p", s.pilot_platform_classes, s)
    return (
        f"MATCH (t:{E} {{id: $id}})<-[dv:{types(s, 'develops')}]-(rd:{E})\n"
        f"WHERE {labels('t', s.tech_classes, s)} AND {labels('rd', s.research_org_classes, s)}\n"
        f"  AND NOT (t)-[:{types(s, 'pilotedAt')}]->()\n"
        "WITH DISTINCT t\n"
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


def _backing(path: str, s: GapSchema, where: str = "") -> str:
    """Sum of pattern-comprehension sizes: how the node at the end of ``path`` is backed by capital.

    Backed: funded (a capital relation in, or a listing), or a host (``hosts`` it, or it is ``locatedIn``
    the host) that is funded, funds others, is listed, or manages something that funds others.
    """
    cap = types(s, *s.capital_relations)
    lst = types(s, *s.listing_relations)
    w = f" WHERE {where}" if where else ""
    ends = [f"<-[bc:{cap}]-(c)", f"-[bl:{lst}]->(c)"]
    host_ends = [f"-[bc:{cap}]-(c)", f"-[bl:{lst}]->(c)", f"-[bm:{types(s, 'manages')}]->(bx)-[bc:{cap}]->(c)"]
    terms = [f"size([{path}{e}{w} | c])" for e in ends]
    for hop in (f"<-[bh:{types(s, 'hosts')}]-(h)", f"-[bh:{types(s, 'locatedIn')}]->(h)"):
        terms += [f"size([{path}{hop}{e}{w} | c])" for e in host_ends]
    return "(" + "\n    + ".join(terms) + ")"


def capital_gap(s: GapSchema) -> str:
    """An adopting enterprise (its technologies and their developers unfunded) or a pilot project (its pilot platforms
    unbacked) with no investor, fund or grant and no funded host."""
    cap = types(s, *s.capital_relations)
    lst = types(s, *s.listing_relations)
    adopts = types(s, "adopts")
    dev = types(s, "develops")
    return (
        f"MATCH (n:{E} {{id: $id}})\n"
        f"WITH n, {_backing('(n)', s)} AS own,\n"
        f"  size([(n)-[ra:{adopts}]->(t) | t]) AS adopted,\n"
        f"  size([(n)-[ra:{adopts}]->(t)<-[x:{cap}]-(c) | c])\n"
        f"  + size([(n)-[ra:{adopts}]->(t)<-[rd:{dev}]-(d)<-[x:{cap}]-(c) | c])\n"
        f"  + size([(n)-[ra:{adopts}]->(t)<-[rd:{dev}]-(d)-[x:{lst}]->(c) | c]) AS techcap,\n"
        f"  {_backing(f'(n)-[rp:{types(s, 'pilotedAt')}]->(p)', s)} AS platform\n"
        "WHERE own = 0\n"
        f"  AND (({labels('n', s.adopter_classes, s)} AND adopted > 0 AND techcap = 0)\n"
        f"    OR ({labels('n', s.pilot_subject_classes, s)} AND platform = 0))\n"
        f"OPTIONAL MATCH (n)-[a:{adopts}]->(t:{E})\n"
        "WITH n, collect(DISTINCT t.id) AS techs\n" + _ret("[n.id] + techs")
    )


def broken_canal(s: GapSchema) -> str:
    """A research organisation, itself unbacked, none of whose technologies reaches capital."""
    cap = types(s, *s.capital_relations)
    lst = types(s, *s.listing_relations)
    adopt = types(s, "develops", "adopts")
    out = types(s, "transferredTo", "licensedTo")
    based = types(s, "basedOn")
    pilot = labels("p", s.pilot_subject_classes, s)
    return (
        f"MATCH (r:{E} {{id: $id}})-[d:{types(s, 'develops')}]->(t:{E})\n"
        f"WHERE {labels('r', s.research_org_classes, s)} AND {labels('t', s.tech_classes, s)}\n"
        f"WITH r, t, {_backing('(r)', s)} AS own,\n"
        f"  size([(t)<-[x:{cap}]-(c) | c])\n"
        f"  + size([(t)<-[y:{adopt}]-(o)<-[x:{cap}]-(c) | c])\n"
        f"  + size([(t)<-[y:{adopt}]-(o)-[x:{lst}]->(c) | c])\n"
        f"  + size([(t)-[y:{out}]->(o)<-[x:{cap}]-(c) | c])\n"
        f"  + size([(t)-[y:{out}]->(o)-[x:{lst}]->(c) | c])\n"
        f"  + size([(t)<-[y:{based}]-(o)<-[z:{types(s, 'produces')}]-(e)<-[x:{cap}]-(c) | c])\n"
        f"  + size([(t)<-[y:{based}]-(o)<-[z:{types(s, 'produces')}]-(e)-[x:{lst}]->(c) | c])\n"
        f"  + {_backing(f'(t)-[y:{types(s, 'pilotedAt')}]->(p)', s)}\n"
        f"  + {_backing(f'(t)<-[y:{based}]-(p)', s, pilot)} AS reach\n"
        "WITH r, collect(DISTINCT t.id) AS techs, sum(reach) AS reach, max(own) AS own\n"
        "WHERE reach = 0 AND own = 0\n" + _ret("[r.id] + techs")
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
    """An alliance whose members are not tied: no tie relation between two members, directly or through one
    technology, product, patent or project (the detector follows longer paths too)."""
    tie = types(s, *TIE_RELATIONS)
    return (
        f"MATCH (a:{E} {{id: $id}})<-[m:{types(s, *s.membership_relations)}]-(o:{E})\n"
        "WITH a, collect(DISTINCT o.id) AS ids\n"
        "WHERE size(ids) >= 2\n"
        f"OPTIONAL MATCH (x:{E})-[r:{tie}]-(y:{E})\n"
        "WHERE x.id IN ids AND y.id IN ids AND x.id <> y.id\n"
        "WITH a, ids, count(r) AS direct\n"
        f"OPTIONAL MATCH (x:{E})-[r1:{tie}]-(i:{E})-[r2:{tie}]-(y:{E})\n"
        f"WHERE x.id IN ids AND y.id IN ids AND x.id <> y.id AND {labels('i', s.tie_intermediates, s)}\n"
        "WITH a, ids, direct, count(r2) AS through\n"
        "WHERE direct + through = 0\n" + _ret("[a.id] + ids")
    )


def _in_scope(var: str, s: GapSchema, scope_kind: str) -> str:
    if scope_kind == "region":
        return f"{var}.region = $region"
    return f"({var})-[:{types(s, *s.membership_relations)}]->(:{E} {{id: $alliance}})"


def _present(s: GapSchema, scope_kind: str) -> str:
    """Statements ending in ``present``: the segments present in the scope (and their parent segments)."""
    org = labels("h", ("Organisation",), s) if "Organisation" in s.ontology.classes else "true"
    seg = s.segment_classes
    part = types(s, "partOfSegment")
    holder = (f"MATCH (h:{E})\nWHERE {org} AND h.region = $region\n" if scope_kind == "region" else
              f"MATCH (h:{E})-[hm:{types(s, *s.membership_relations)}]->(al:{E} {{id: $alliance}})\nWHERE {org}\n")
    return (
        holder
        + f"OPTIONAL MATCH (h)-[r1:{part}]->(s1:{E})\nWHERE {labels('s1', seg, s)}\n"
        "WITH h, collect(s1) AS l1\n"
        f"OPTIONAL MATCH (h)-[r2:{types(s, 'develops', 'adopts', 'produces')}]->(x2:{E})-[r3:{part}]->(s2:{E})\n"
        f"WHERE {labels('s2', seg, s)} AND NOT {labels('x2', seg, s)}\n"
        "WITH h, l1, collect(s2) AS l2\n"
        f"OPTIONAL MATCH (h)<-[r4:{types(s, 'transferredTo', 'licensedTo')}]-(x4:{E})-[r5:{part}]->(s4:{E})\n"
        f"WHERE {labels('s4', seg, s)}\n"
        "WITH h, l1, l2, collect(s4) AS l4\n"
        "WITH l1 + l2 + l4 AS held\n"
        "UNWIND held AS d\n"
        "WITH collect(DISTINCT d) AS direct\n"
        "UNWIND direct AS d\n"
        f"OPTIONAL MATCH (d)-[pp:{part}*1..10]->(p:{E})\n"
        "WITH direct, collect(DISTINCT p) AS ups\n"
        "WITH [d IN direct | d.id] + [p IN ups | p.id] AS present\n"
    )


def segment_gap(s: GapSchema, scope_kind: str) -> str:
    """A segment nobody in a region or alliance works in or holds a product or technology of, next to
    (``upstreamOf`` either way) a segment somebody there does."""
    return (
        _present(s, scope_kind)
        + f"MATCH (m:{E} {{id: $id}})-[u:{types(s, 'upstreamOf')}]-(n:{E})\n"
        f"WHERE {labels('m', s.segment_classes, s)} AND NOT m.id IN present AND n.id IN present\n"
        "WITH m, collect(DISTINCT n.id) AS ns\n" + _ret("[m.id] + ns")
    )


def segment_empty(s: GapSchema) -> str:
    """Segments (``$ids``) with no organisation, product or technology in them or in a sub-segment."""
    seg = labels("m", s.segment_classes, s)
    return (
        "UNWIND $ids AS sid\n"
        f"MATCH (m:{E} {{id: sid}})\n"
        f"WHERE {seg}\n"
        f"OPTIONAL MATCH (x:{E})-[p:{types(s, 'partOfSegment')}*1..10]->(m)\n"
        f"WHERE NOT {labels('x', s.segment_classes, s)}\n"
        "WITH m, count(x) AS inside\n"
        "WHERE inside = 0\n"
        "RETURN DISTINCT m.id AS id, m.name AS name, labels(m) AS labels"
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
