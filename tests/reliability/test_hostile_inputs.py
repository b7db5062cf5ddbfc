"""A hostile-input corpus for loaders, imports, extract and the CLI's own arguments.

Every case runs the real command (in-process through click, on a real embedded store) and
must end with a one-line message or a clean result: never a Python traceback, never an
"internal error". Cases that must fail are checked for a non-zero exit and for what the
message has to say.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from canal.cli import main

GOOD_SPEC = """\
name: hostile
retrieved: 2026-11-21
method: curated
nodes:
  - file: {file}
    id: id
    class: {{value: Enterprise}}
    properties:
      name: name
"""


@dataclass
class Case:
    name: str
    make: Callable[[Path], list[str]]  # writes the inputs, returns the CLI arguments
    fails: bool = True  # must exit non-zero
    says: list[str] = field(default_factory=list)  # the message must contain these
    env: dict[str, str] = field(default_factory=dict)
    input: str | None = None


def _spec(tmp: Path, data_name: str, data: bytes | str, spec: str | None = None) -> list[str]:
    p = tmp / data_name
    p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    s = tmp / "s.yaml"
    s.write_text(spec if spec is not None else GOOD_SPEC.format(file=data_name), encoding="utf-8")
    return ["load", str(s)]


def _raw_spec(tmp: Path, text: str | bytes) -> list[str]:
    s = tmp / "s.yaml"
    s.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return ["load", str(s)]


def _file(tmp: Path, name: str, data: bytes | str, *args: str) -> list[str]:
    p = tmp / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return [*args, str(p)]


def _bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, levels):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]")
    return "name: bomb\n" + "\n".join(lines) + f"\nnodes: *a{levels - 1}\n"


_RNG = random.Random(7)
BINARY = bytes(_RNG.randrange(256) for _ in range(4096))
TTL_HEAD = "@prefix canal: <https://w3id.org/canal/ontology#> .\n@prefix id: <https://w3id.org/canal/id/> .\n"
LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"><!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;"><!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE g [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
"""
GRAPHML_BODY = '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><key id="d0" for="node" attr.name="cls" attr.type="string"/><key id="d1" for="node" attr.name="name" attr.type="string"/><graph edgedefault="directed"><node id="e1"><data key="d0">Enterprise</data><data key="d1">&{ent};</data></node></graph></graphml>\n'
GEXF_BODY = '<gexf xmlns="http://gexf.net/1.3" version="1.3"><graph defaultedgetype="directed"><attributes class="node"><attribute id="0" title="cls" type="string"/></attributes><nodes><node id="e1" label="&{ent};"><attvalues><attvalue for="0" value="Enterprise"/></attvalues></node></nodes><edges/></graph></gexf>\n'
RDFXML_BODY = '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:canal="https://w3id.org/canal/ontology#"><canal:Enterprise rdf:about="https://w3id.org/canal/id/e1"><canal:name>&{ent};</canal:name></canal:Enterprise></rdf:RDF>\n'


def _jsonld(context: object) -> str:
    return json.dumps({"@context": context, "@id": "https://w3id.org/canal/id/e1", "@type": "canal:Enterprise", "canal:name": "x"})


CASES = [
    # -- loader specs -----------------------------------------------------------------
    Case("yaml alias bomb", lambda t: _raw_spec(t, _bomb()), says=["alias"]),
    Case("spec is binary", lambda t: _raw_spec(t, BINARY)),
    Case("spec is a list", lambda t: _raw_spec(t, "- a\n- b\n")),
    Case("spec is empty", lambda t: _raw_spec(t, "")),
    Case("spec with unset variable", lambda t: _spec(t, "e.csv", "id,name\na,b\n", GOOD_SPEC.format(file="${CANAL_SURELY_UNSET_VAR}/e.csv")), says=["CANAL_SURELY_UNSET_VAR"]),
    Case("spec names a folder", lambda t: (t.joinpath("d").mkdir(), _raw_spec(t, GOOD_SPEC.format(file="d")))[1]),
    Case("spec file missing", lambda t: ["load", str(t / "nope.yaml")]),
    Case("deeply nested json source", lambda t: _spec(t, "e.json", "[" * 200_000 + "]" * 200_000), says=["deep"]),
    Case("binary csv source", lambda t: _spec(t, "e.csv", BINARY)),
    Case("header-only csv (first load)", lambda t: _spec(t, "e.csv", "id,name\n"), fails=False),
    Case("empty csv", lambda t: _spec(t, "e.csv", "")),
    Case("nul in a csv value", lambda t: _spec(t, "e.csv", "id,name\na,b\x00c\n"), says=["row 2", "name"]),
    Case("megabyte cell", lambda t: _spec(t, "e.csv", "id,name\na," + "x" * 1_100_000 + "\n"), fails=None),  # type: ignore[arg-type]
    Case("utf-16 without bom", lambda t: _spec(t, "e.csv", "id,name\na,公司\n".encode("utf-16-le"))),
    Case("bad json line", lambda t: _spec(t, "e.jsonl", '{"id": "a", "name": "b"}\n{"id": \n')),
    Case("json not records", lambda t: _spec(t, "e.json", "42")),
    Case("jsonl line not an object", lambda t: _spec(t, "e.jsonl", '{"id": "a", "name": "b"}\n[1, 2]\n')),
    Case("corrupt xlsx", lambda t: _spec(t, "e.xlsx", b"PK\x03\x04" + BINARY)),
    Case("unknown encoding in spec", lambda t: _spec(t, "e.csv", "id,name\na,b\n", GOOD_SPEC.format(file="e.csv") + "    encoding: klingon-8\n")),
    Case("unknown class constant", lambda t: _spec(t, "e.csv", "id,name\na,b\n", GOOD_SPEC.format(file="e.csv").replace("Enterprise", "Spaceship"))),
    Case("spec names a missing column", lambda t: _spec(t, "e.csv", "id,nom\na,b\n"), says=["name", "nom"]),
    Case("quotes never closed", lambda t: _spec(t, "e.csv", 'id,name\na,"never closed\nb,c\n'), fails=None),  # type: ignore[arg-type]
    Case("bom only", lambda t: _spec(t, "e.csv", b"\xef\xbb\xbf"), fails=None),  # type: ignore[arg-type]
    Case("control characters in a name", lambda t: _spec(t, "e.csv", "id,name\na,x\x01\x1b[31mred\x7f\n"), fails=None),  # type: ignore[arg-type]
    Case("id of 5000 characters", lambda t: _spec(t, "e.csv", "id,name\n" + "i" * 5000 + ",b\n"), fails=None),  # type: ignore[arg-type]
    Case("header of 100,000 columns", lambda t: _spec(t, "e.csv", ",".join(["id", "name", *(f"c{i}" for i in range(100_000))]) + "\n"), fails=None),  # type: ignore[arg-type]
    Case("spec tabs and anchors mixed", lambda t: _raw_spec(t, "name: x\n\tnodes: []\n")),
    Case("spec deeply nested", lambda t: _raw_spec(t, "name: " + "[" * 50_000 + "]" * 50_000 + "\n")),
    # -- imports --------------------------------------------------------------------------
    Case("binary nodes.csv", lambda t: [*_file(t, "csvdir/nodes.csv", BINARY, "import")[:1], str(t / "csvdir")]),
    Case("binary turtle", lambda t: _file(t, "g.ttl", BINARY, "import")),
    Case("empty turtle", lambda t: _file(t, "g.ttl", "", "import"), fails=False),
    Case("turtle syntax error", lambda t: _file(t, "g.ttl", TTL_HEAD + "id:a a canal:Enterprise canal:name .\n", "import")),
    Case("turtle unknown class", lambda t: _file(t, "g.ttl", TTL_HEAD + "".join(f"id:x{i} a canal:Spaceship ; canal:name 'x{i}' .\n" for i in range(5)), "import"), says=["5", "Spaceship"]),
    Case("jsonld remote context", lambda t: _file(t, "g.jsonld", _jsonld("http://127.0.0.1:9/context.jsonld"), "import"), says=["context"]),
    Case("jsonld local context", lambda t: _file(t, "g.jsonld", _jsonld(str(t / "ctx.jsonld")), "import"), says=["context"]),
    Case("jsonld context list with url", lambda t: _file(t, "g.jsonld", _jsonld([{"canal": "https://w3id.org/canal/ontology#"}, "file:///etc/hostname"]), "import"), says=["context"]),
    Case("jsonld nested context import", lambda t: _file(t, "g.jsonld", _jsonld({"@import": "http://127.0.0.1:9/c", "canal": "https://w3id.org/canal/ontology#"}), "import"), says=["context"]),
    Case("jsonld deeply nested", lambda t: _file(t, "g.jsonld", '{"a":' * 100_000 + "1" + "}" * 100_000, "import")),
    Case("graphml billion laughs", lambda t: _file(t, "g.graphml", LAUGHS + GRAPHML_BODY.format(ent="lol9"), "import"), says=["DOCTYPE"]),
    Case("graphml external entity", lambda t: _file(t, "g.graphml", EXTERNAL + GRAPHML_BODY.format(ent="xxe"), "import")),
    Case("gexf billion laughs", lambda t: _file(t, "g.gexf", LAUGHS + GEXF_BODY.format(ent="lol9"), "import")),
    Case("gexf external entity", lambda t: _file(t, "g.gexf", EXTERNAL + GEXF_BODY.format(ent="xxe"), "import")),
    Case("rdf/xml billion laughs", lambda t: _file(t, "g.rdf", LAUGHS + RDFXML_BODY.format(ent="lol9"), "import")),
    Case("rdf/xml external entity", lambda t: _file(t, "g.rdf", EXTERNAL + RDFXML_BODY.format(ent="xxe"), "import")),
    Case("graphml not xml", lambda t: _file(t, "g.graphml", BINARY, "import")),
    # -- extract ------------------------------------------------------------------------
    Case("shift-jis article", lambda t: _file(t, "a.txt", ("東京大学の研究所は新しい技術を開発しました。" * 20).encode("shift_jis"), "extract"), says=["Shift"]),
    Case("binary article", lambda t: _file(t, "a.txt", BINARY, "extract")),
    Case("empty article", lambda t: _file(t, "a.txt", "", "extract")),
    Case("euc-jp article", lambda t: _file(t, "a.txt", ("京都大学の研究室はロボット技術を企業と共同で開発しています。" * 20).encode("euc_jp"), "extract")),
    Case("article that is an empty folder", lambda t: (t.joinpath("dir.txt").mkdir(), ["extract", str(t / "dir.txt")])[1], fails=None),  # type: ignore[arg-type]
    Case("article with nul bytes", lambda t: _file(t, "a.txt", "中国科学院\x00大连化学物理研究所" * 50, "extract")),
    Case("article of one huge line", lambda t: _file(t, "a.txt", "研究院" * 300_000, "extract", "--max-mb", "0.5")),
    Case("html article of scripts only", lambda t: _file(t, "a.html", "<html><script>" + "alert(1);" * 1000 + "</script></html>", "extract")),
    Case("utf-16 article with bom", lambda t: _file(t, "a.txt", "\ufeff中国科学院大连化学物理研究所开发了甲醇制烯烃技术。".encode("utf-16-le"), "extract", "--no-graph"), fails=False),
    Case("review file that is not json lines", lambda t: _file(t, "r.jsonl", "{not json\n", "extract", "--load")),
    # -- arguments and environment -----------------------------------------------------
    Case("backtick in a param key", lambda t: ["query", "RETURN $m AS m", "-p", 'm={"a`b": 1}'], fails=None),  # type: ignore[arg-type]
    Case("param without =", lambda t: ["query", "RETURN 1", "-p", "novalue"]),
    Case("negative lock timeout", lambda t: ["stats"], env={"CANAL_LOCK_TIMEOUT": "-5"}, says=["CANAL_LOCK_TIMEOUT"]),
    Case("zero batch size", lambda t: ["stats"], env={"CANAL_BATCH_SIZE": "0"}, says=["CANAL_BATCH_SIZE"]),
    Case("bad fsync", lambda t: ["stats"], env={"CANAL_FSYNC": "sometimes"}, says=["CANAL_FSYNC"]),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_no_input_gives_a_traceback(case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for k, v in case.env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("CANAL_SURELY_UNSET_VAR", raising=False)
    args = case.make(tmp_path)
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "h.db"), "--no-progress", *args], input=case.input)
    out = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), f"{type(result.exception).__name__}: {result.exception}"
    assert "Traceback" not in out and "internal error" not in out, out
    if case.fails is True:
        assert result.exit_code != 0, out
    elif case.fails is False:
        assert result.exit_code == 0, out
    for word in case.says:
        assert word.lower() in out.lower(), out
    if result.exit_code:
        lines = [x for x in out.strip().splitlines() if x.startswith("canal: ")]
        assert lines, out  # one line that says what went wrong
    assert os.environ.get("CANAL_SURELY_UNSET_VAR") is None


@pytest.mark.parametrize("body", [LAUGHS + RDFXML_BODY.format(ent="lol9"), EXTERNAL + RDFXML_BODY.format(ent="xxe")], ids=["laughs", "external"])
def test_rdf_xml_entities_are_neither_expanded_nor_fetched(body: str, tmp_path: Path) -> None:
    from canal.errors import LoaderError
    from canal.rdf import parse_file

    p = tmp_path / "g.rdf"
    p.write_text(body, encoding="utf-8")
    with pytest.raises(LoaderError, match="DOCTYPE"):
        parse_file(p)
