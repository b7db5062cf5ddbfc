"""The saved Cypher library: headers, CLI, and every query's rows on the demo graph.

The expected rows below were checked by hand against loaders/demo/*.csv (for example: CAS
Holdings is the only investor of a CAS alliance member, 850 million yuan into Levima; China
Minying's two rounds into NUST's northern institute are separate rows because they are
parallel INVESTS_IN relationships). Lists inside cells are compared sorted where their order
carries no meaning (collect() gives no order guarantee in either engine).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from canal.errors import ConfigError
from canal.queries import QueryParam, coerce_param, get_query, list_queries, parse_query, run_query
from canal.store import GraphStore, open_store

from .conftest import canal_cmd, copy_database

ORDERED_LISTS = {"lab-fund-links", "shortest-directed-path"}
"""Queries whose list cells are paths: their order is the answer."""


class Case(NamedTuple):
    name: str
    params: dict[str, Any]
    columns: list[str]
    rows: list[tuple[Any, ...]]


CASES = [
    Case('alliance-chairs', {}, ['alliance', 'name', 'name_zh', 'chairs', 'members'], [
        ('biomed-alliance', '两江新区生物医药创新服务联盟', '两江新区生物医药创新服务联盟', [], 0),
        ('cas-am-alliance', 'CAS Advanced Materials Alliance', '中国科学院新材料技术创新与产业化联盟', ['Levima Advanced Materials Corporation'], 7),
    ]),
    Case('alliance-member-investors', {}, ['member', 'role', 'investor', 'how', 'amount', 'currency'], [
        ('Levima Advanced Materials Corporation', 'chairman unit', 'CAS Holdings', 'INVESTS_IN', 850000000.0, 'CNY'),
    ]),
    Case('alliance-members', {}, ['alliance', 'member', 'role', 'region'], [
        ('CAS Advanced Materials Alliance', 'CAS Advanced Materials Industry Fund', 'capital component', 'Tengzhou, Shandong'),
        ('CAS Advanced Materials Alliance', 'Levima Advanced Materials Corporation', 'chairman unit', 'Tengzhou, Shandong'),
        ('CAS Advanced Materials Alliance', 'Changchun Institute of Applied Chemistry', 'governing unit', 'Changchun, Jilin'),
        ('CAS Advanced Materials Alliance', 'Chengdu Organic Chemicals Co., Ltd., CAS', 'governing unit', 'Chengdu, Sichuan'),
        ('CAS Advanced Materials Alliance', 'Dalian Institute of Chemical Physics', 'governing unit', 'Dalian, Liaoning'),
        ('CAS Advanced Materials Alliance', 'Guangzhou Chemical Co., Ltd., CAS', 'governing unit', 'Guangzhou, Guangdong'),
        ('CAS Advanced Materials Alliance', 'Sinopec Guangzhou Engineering Co., Ltd.', 'specially invited governing unit', 'Guangzhou, Guangdong'),
    ]),
    Case('cross-chain-collaborations', {}, ['from', 'from_kind', 'to', 'to_kind'], [
        ('BMF Precision (Boston Micro Fabrication)', 'industry', '明月湖超高精密增材研究院', 'research'),
        ('Chentang Administrative Committee', 'government', 'China Minying Investment Co., Ltd.', 'capital'),
        ('Chentang Administrative Committee', 'government', 'Northern Research Institute of NUST', 'research'),
        ('China Minying Investment Co., Ltd.', 'capital', 'Northern Research Institute of NUST', 'research'),
        ('Hexi District Government', 'government', 'China Minying Investment Co., Ltd.', 'capital'),
        ('Hexi District Government', 'government', 'Nanjing University of Science and Technology', 'research'),
        ('Hexi District Government', 'government', 'Northern Research Institute of NUST', 'research'),
        ('Hexi District Science and Technology Committee', 'government', 'Dongwen High-Voltage Power Supply (Tianjin) Co., Ltd.', 'industry'),
        ('中国汽车工程研究院股份有限公司', 'industry', '北京理工大学重庆创新中心', 'research'),
        ('自贡高新区', 'park', '中科院深圳研究院', 'research'),
        ('自贡高新区', 'park', '蜂鸟智能', 'industry'),
    ]),
    Case('customers-of', {}, ['kind', 'region', 'customer'], [
        ('enterprise', 'Japan', 'Hirose Electric'),
        ('enterprise', 'Japan', 'Kyocera'),
        ('enterprise', 'Japan', 'Mitsubishi Heavy Industries'),
        ('enterprise', 'Japan', 'SDK Group'),
        ('enterprise', 'USA', 'Apple'),
        ('enterprise', 'USA', 'Boeing'),
        ('enterprise', 'USA', 'Intel'),
        ('enterprise', 'USA', 'Johnson & Johnson'),
        ('enterprise', None, 'Intuitive Surgical'),
        ('research institute', None, '中石油研究院'),
        ('university', 'Beijing', 'Peking University'),
        ('university', 'Beijing', 'Tsinghua University'),
        ('university', 'Dresden, Germany', 'TU Dresden'),
        ('university', 'Hangzhou, Zhejiang', 'Zhejiang University'),
        ('university', 'Nottingham, UK', 'University of Nottingham'),
        ('university', 'Pittsburgh, USA', 'Carnegie Mellon University'),
        ('university', 'Singapore', 'Nanyang Technological University'),
        ('university', 'Tokyo, Japan', 'University of Tokyo'),
        ('university', 'Tokyo, Japan', 'Waseda University'),
    ]),
    Case('entity-relationships', {}, ['direction', 'link', 'other', 'role'], [
        ('out', 'ADOPTS', 'dmto', None),
        ('out', 'DEVELOPS', 'fl02528', None),
        ('out', 'DEVELOPS', 'pp-transparent-packaging', None),
        ('out', 'FOUNDED_BY', 'zheng-yueming', None),
        ('out', 'LEADS', 'cas-am-alliance', 'chairman unit'),
        ('out', 'LOCATED_IN', 'lunan-park', None),
        ('out', 'MEMBER_OF', 'cas-am-alliance', 'chairman unit'),
        ('out', 'PARTICIPATES_IN', 'cas-linkage-innovation', None),
        ('out', 'PART_OF_SEGMENT', 'advanced-materials', None),
        ('out', 'PART_OF_SEGMENT', 'advanced-polymers', None),
        ('out', 'PART_OF_SEGMENT', 'olefins', None),
        ('out', 'PART_OF_SEGMENT', 'special-chemicals', None),
        ('out', 'PRODUCES', 'eo-derivatives', None),
        ('out', 'PRODUCES', 'ethylene', None),
        ('out', 'PRODUCES', 'eva-cable-material', None),
        ('out', 'PRODUCES', 'fl02528', None),
        ('out', 'PRODUCES', 'pp-transparent-packaging', None),
        ('out', 'PRODUCES', 'propylene', None),
        ('out', 'SUB_ORGANISATION_OF', 'legend-holdings', None),
        ('in', 'INVESTS_IN', 'cas-holdings', None),
        ('in', 'LEADS', 'zheng-yueming', 'chairman'),
        ('in', 'LICENSED_TO', 'dmto', None),
        ('in', 'WORKS_FOR', 'zheng-yueming', 'chairman'),
    ]),
    Case('find-entity', {}, ['id', 'name', 'name_zh', 'region'], [
        ('dmto', 'DMTO', 'DMTO甲醇制烯烃技术', 'Dalian, Liaoning'),
    ]),
    Case('founders', {}, ['organisation', 'founder', 'founder_kind'], [
        ('Braille display start-up of Li Cheng', 'Li Cheng', 'person'),
        ('CAS Advanced Materials Alliance', 'CAS Holdings', 'organisation'),
        ('Chongqing Institute of Nanometal', 'Academician-led nanometal research team', 'organisation'),
        ('Chongqing Institute of Nanometal', 'Liangjiang New Area Administrative Committee', 'organisation'),
        ('Levima Advanced Materials Corporation', 'Zheng Yueming', 'person'),
        ('Liangjiang resource-sharing platforms', 'Liangjiang New Area Administrative Committee', 'organisation'),
        ('Tianjin Zhizaoxing Education Science and Technology Co., Ltd.', 'Liu Yi', 'person'),
        ('两江协同创新区共享服务平台', 'Liangjiang New Area Administrative Committee', 'organisation'),
        ('功能型无人车联合实验室', '中国汽车工程研究院股份有限公司', 'organisation'),
        ('功能型无人车联合实验室', '北京理工大学重庆创新中心', 'organisation'),
        ('誉存科技', '陈玮', 'person'),
    ]),
    Case('government-support', {}, ['body', 'scheme', 'supported'], [
        ('Chentang Administrative Committee', 'Chentang Science and Technology Commercial District', []),
        ('Hexi District Government', 'Hexi District Enterprises Public Listing Program', ['Dongwen High-Voltage Power Supply (Tianjin) Co., Ltd.']),
        ('Hexi District Government', 'Hexi programme for upgrading S&T little giant enterprises', []),
        ('Hexi District Government', 'Hexi special fund for S&T SMEs', []),
        ('Hexi District Government', 'Hexi subsidies for core-technology teams', []),
        ('Liangjiang New Area Administrative Committee', 'Liangjiang New Area', []),
        ('Liangjiang New Area Administrative Committee', 'Liangjiang Science Innovation Fund', []),
        ('Liangjiang New Area Administrative Committee', 'Liangjiang early-stage project support system', []),
        ('Liangjiang New Area Administrative Committee', 'Liangjiang programme for industrialising sci-tech achievements', ['Chongqing Institute of Nanometal']),
        ('Liangjiang New Area Administrative Committee', 'Liangjiang reform of new-type R&D institutions', ['Chongqing Institute of Nanometal']),
        ('Liangjiang New Area Administrative Committee', 'Liangjiang resource-sharing platforms', []),
        ('Liangjiang New Area Administrative Committee', 'Liangjiang seed funding', ['Braille display start-up of Li Cheng']),
        ('Liangjiang New Area Administrative Committee', 'Mingyue Lake Fund', []),
        ('Liangjiang New Area Administrative Committee', '两江协同创新区', []),
        ('Ministry of Industry and Information Technology', 'China Maker Competition', ['Tianjin Zhizaoxing Education Science and Technology Co., Ltd.']),
        ('Ministry of Science and Technology', '科技创新2030—新一代人工智能重大项目', ['誉存科技']),
    ]),
    Case('institute-technologies', {}, ['technology', 'name', 'developed_by', 'adopters'], [
        ('ev-charging-smart-grid', 'EV charging system with interactive smart grid', 'Nanjing University of Science and Technology', []),
        ('fibre-laser', 'High-power fibre laser', 'Nanjing University of Science and Technology', ['Northern Research Institute of NUST']),
        ('thin-film-li-battery', 'All-solid-state thin-film lithium battery', 'Herbert Gleiter Institute of Nanoscience', []),
    ]),
    Case('investment-by-chain-region', {}, ['chain', 'region', 'currency', 'total', 'deals'], [
        ('industrial', 'Chongqing', 'CNY', 500000.0, 1),
        ('industrial', 'Chongqing', 'USD', 800000000.0, 1),
        ('industrial', 'Tengzhou, Shandong', 'CNY', 850000000.0, 1),
        ('innovation', 'Tianjin', 'CNY', 8130000000.0, 3),
    ]),
    Case('lab-fund-links', {}, ['fund', 'hops', 'names', 'links'], [
        ('liangjiang-sci-innovation-fund', 3, ['Academician-led nanometal research team', 'Chongqing Institute of Nanometal', 'Liangjiang New Area Administrative Committee', 'Liangjiang Science Innovation Fund'], ['FOUNDED_BY', 'FOUNDED_BY', 'MANAGES']),
        ('liangjiang-sci-innovation-fund', 3, ['Academician-led nanometal research team', 'Chongqing Institute of Nanometal', 'Liangjiang New Area Administrative Committee', 'Liangjiang Science Innovation Fund'], ['FOUNDED_BY', 'INVESTS_IN', 'MANAGES']),
        ('mingyue-lake-fund', 3, ['Academician-led nanometal research team', 'Chongqing Institute of Nanometal', 'Liangjiang New Area Administrative Committee', 'Mingyue Lake Fund'], ['FOUNDED_BY', 'FOUNDED_BY', 'MANAGES']),
        ('mingyue-lake-fund', 3, ['Academician-led nanometal research team', 'Chongqing Institute of Nanometal', 'Liangjiang New Area Administrative Committee', 'Mingyue Lake Fund'], ['FOUNDED_BY', 'INVESTS_IN', 'MANAGES']),
    ]),
    Case('money-flows', {}, ['from', 'how', 'to', 'amount', 'currency', 'source'], [
        ('China Minying Investment Co., Ltd.', 'INVESTS_IN', 'Northern Research Institute of NUST', 6000000000.0, 'CNY', 'hexi-innovation'),
        ('China Minying Investment Co., Ltd.', 'INVESTS_IN', 'Northern Research Institute of NUST', 2000000000.0, 'CNY', 'hexi-innovation'),
        ('CAS Holdings', 'INVESTS_IN', 'Levima Advanced Materials Corporation', 850000000.0, 'CNY', 'stdaily-cas-alliance'),
        ('AAC Technologies', 'INVESTS_IN', '诚瑞光学智能制造产业园', 800000000.0, 'USD', 'ceweekly-liangjiang'),
        ('Hexi District Government', 'GRANTS_TO', 'Northern Research Institute of NUST', 130000000.0, 'CNY', 'hexi-innovation'),
        ('Liangjiang seed funding', 'GRANTS_TO', 'Braille display start-up of Li Cheng', 500000.0, 'CNY', 'chinadaily-cinm'),
    ]),
    Case('multi-institute-adopters', {}, ['adopter', 'name', 'institutes', 'technologies'], [
    ]),
    Case('organisation-family', {}, ['kind', 'depth', 'id', 'name'], [
        ('unit', 1, 'cas-holdings', 'CAS Holdings'),
        ('unit', 1, 'cas-shenzhen', '中科院深圳研究院'),
        ('unit', 1, 'chengdu-organic', 'Chengdu Organic Chemicals Co., Ltd., CAS'),
        ('unit', 1, 'ciac', 'Changchun Institute of Applied Chemistry'),
        ('unit', 1, 'dicp', 'Dalian Institute of Chemical Physics'),
        ('unit', 1, 'guangzhou-chemical', 'Guangzhou Chemical Co., Ltd., CAS'),
        ('unit', 1, 'ucas', 'University of Chinese Academy of Sciences'),
        ('spin-off', 1, 'lenovo', 'Lenovo'),
        ('spin-off', 1, 'sugon', 'Sugon'),
    ]),
    Case('park-residents', {}, ['id', 'name', 'located_in'], [
        ('chentang', 'Chentang Science and Technology Commercial District', 'Hexi District'),
        ('dongwen', 'Dongwen High-Voltage Power Supply (Tianjin) Co., Ltd.', 'Hexi District'),
        ('hexi-gov', 'Hexi District Government', 'Hexi District'),
        ('hexi-stc', 'Hexi District Science and Technology Committee', 'Hexi District'),
        ('im-display-center', 'Intelligent Manufacturing Display and Experience Center', 'Chentang Science and Technology Commercial District'),
        ('northern-maker-center', 'Northern Maker Experience Center', 'Hexi District'),
        ('nust-nri', 'Northern Research Institute of NUST', 'Hexi District'),
        ('zhizaoxing', 'Tianjin Zhizaoxing Education Science and Technology Co., Ltd.', 'Hexi District'),
    ]),
    Case('people-of-organisation', {}, ['person', 'unit', 'link', 'role'], [
        ('Hu Wenbin', 'Nanjing University of Science and Technology', 'WORKS_FOR', 'professor'),
        ('Qi Longjiang', 'Northern Research Institute of NUST', 'WORKS_FOR', 'executive vice president'),
        ('Qian Linfang', 'Nanjing University of Science and Technology', 'WORKS_FOR', 'vice president'),
        ('Xia Hui', 'Herbert Gleiter Institute of Nanoscience', 'WORKS_FOR', 'team leader'),
        ('Yin Qun', 'Nanjing University of Science and Technology', 'WORKS_FOR', 'Party Secretary'),
        ('Zhu Rihong', 'Nanjing University of Science and Technology', 'WORKS_FOR', 'professor'),
    ]),
    Case('pilot-platforms', {}, ['region', 'field', 'kind', 'id', 'name'], [
        ('Chongqing', 'intelligent connected vehicles', 'PilotProject', 'icv-project', '两江新区智能车联网项目'),
        ('Tianjin', None, 'PilotProject', 'ev-charging-project', 'EV charging and smart grid scale-up project'),
        ('Tianjin', None, 'PilotProject', 'fibre-laser-project', 'High-power fibre laser scale-up project'),
        ('Tianjin', None, 'PilotProject', 'thin-film-battery-project', 'Thin-film lithium battery scale-up project'),
        ('Zigong, Sichuan', 'carbon materials', 'PilotPlatform', 'carbon-pilot-platform', '碳材院中试平台'),
        ('Zigong, Sichuan', None, 'PilotProject', 'flexible-display-project', '柔性显示材料项目'),
    ]),
    Case('pilot-projects', {}, ['project', 'name', 'technologies', 'hosts', 'leaders', 'funders'], [
        ('ev-charging-project', 'EV charging and smart grid scale-up project', ['EV charging system with interactive smart grid'], ['Hexi District', 'Northern Research Institute of NUST'], ['Hu Wenbin'], []),
        ('fibre-laser-project', 'High-power fibre laser scale-up project', ['High-power fibre laser'], ['Hexi District', 'Northern Research Institute of NUST'], ['Zhu Rihong'], []),
        ('flexible-display-project', '柔性显示材料项目', [], ['自贡高新区'], [], ['高新区中试项目资金池']),
        ('icv-project', '两江新区智能车联网项目', ['毫米波雷达技术'], ['两江协同创新区'], ['两江协同创新区建设投资发展有限公司'], []),
        ('thin-film-battery-project', 'Thin-film lithium battery scale-up project', ['All-solid-state thin-film lithium battery'], ['Hexi District', 'Northern Research Institute of NUST'], ['Xia Hui'], []),
    ]),
    Case('segment-enterprises', {}, ['kind', 'id', 'name', 'segment'], [
        ('Enterprise', 'levima', 'Levima Advanced Materials Corporation', 'Advanced materials'),
        ('Product', 'eva-cable-material', 'High-VA EVA for cable materials', 'Cable materials'),
        ('Product', 'fl02528', 'FL02528 photovoltaic film material', 'Photovoltaic encapsulant films'),
        ('Technology', 'cb-electrographite', '炭黑基电化石墨材料', 'Carbon materials'),
        ('Technology', 'ht-carbon-graphite', '高温抗氧化炭石墨材料', 'Carbon materials'),
    ]),
    Case('segment-value-chain', {}, ['distance', 'id', 'name'], [
        (-1, 'olefins', 'Olefins'),
        (1, 'food-packaging', 'Food and beverage packaging'),
    ]),
    Case('shortest-directed-path', {}, ['hops', 'names', 'links'], [
        (4, ['Dalian Institute of Chemical Physics', 'DMTO', 'Olefins', 'Polyolefin materials', 'Food and beverage packaging'], ['DEVELOPS', 'PART_OF_SEGMENT', 'UPSTREAM_OF', 'UPSTREAM_OF']),
    ]),
    Case('sources-of-entity', {}, ['source', 'title', 'publisher', 'facts'], [
        ('stdaily-cas-alliance', 'Achievements to Industrialization, Chinese Academy of Sciences Has Another Big Move', 'Science and Technology Daily', 24),
    ]),
    Case('technologies-without-adopter', {}, ['technology', 'name', 'developers', 'pilot_projects'], [
        ('cb-electrographite', '炭黑基电化石墨材料', ['自贡先进碳材料产业技术研究院'], []),
        ('ev-charging-smart-grid', 'EV charging system with interactive smart grid', ['Nanjing University of Science and Technology'], ['EV charging and smart grid scale-up project']),
        ('ht-carbon-graphite', '高温抗氧化炭石墨材料', ['自贡先进碳材料产业技术研究院'], []),
        ('mmwave-radar', '毫米波雷达技术', ['Beijing Institute of Technology'], ['两江新区智能车联网项目']),
        ('thin-film-li-battery', 'All-solid-state thin-film lithium battery', ['Herbert Gleiter Institute of Nanoscience'], ['Thin-film lithium battery scale-up project']),
        ('wlg', 'WLG晶圆级玻璃技术', ['AAC Technologies'], []),
    ]),
    Case('technology-canal', {}, ['step', 'stage', 'link', 'id', 'name', 'amount', 'currency'], [
        (1, 'research', 'DEVELOPS', 'dicp', 'Dalian Institute of Chemical Physics', None, None),
        (3, 'industrialisation', 'ADOPTS', 'levima', 'Levima Advanced Materials Corporation', None, None),
        (3, 'industrialisation', 'BASED_ON', 'ethylene', 'Ethylene', None, None),
        (3, 'industrialisation', 'BASED_ON', 'propylene', 'Propylene', None, None),
        (3, 'industrialisation', 'LICENSED_TO', 'levima', 'Levima Advanced Materials Corporation', None, None),
        (4, 'capital', 'GRANTS_TO', 'state-tech-invention-award', 'State Technological Invention Award', None, None),
        (4, 'capital', 'INVESTS_IN', 'cas-holdings', 'CAS Holdings', 850000000.0, 'CNY'),
    ]),
    Case('technology-canal', {'technology': 'fibre-laser'}, ['step', 'stage', 'link', 'id', 'name', 'amount', 'currency'], [
        (1, 'research', 'DEVELOPS', 'nust', 'Nanjing University of Science and Technology', None, None),
        (2, 'pilot', 'BASED_ON', 'fibre-laser-project', 'High-power fibre laser scale-up project', None, None),
        (3, 'industrialisation', 'ADOPTS', 'nust-nri', 'Northern Research Institute of NUST', None, None),
        (4, 'capital', 'GRANTS_TO', 'hexi-gov', 'Hexi District Government', 130000000.0, 'CNY'),
        (4, 'capital', 'INVESTS_IN', 'china-minying', 'China Minying Investment Co., Ltd.', 2000000000.0, 'CNY'),
        (4, 'capital', 'INVESTS_IN', 'china-minying', 'China Minying Investment Co., Ltd.', 6000000000.0, 'CNY'),
    ]),
    Case('institute-technologies', {'institute': 'cas'}, ['technology', 'name', 'developed_by', 'adopters'], [
        ('dmto', 'DMTO', 'Dalian Institute of Chemical Physics', ['Levima Advanced Materials Corporation']),
    ]),
    Case('multi-institute-adopters', {'min_institutes': 1}, ['adopter', 'name', 'institutes', 'technologies'], [
        ('levima', 'Levima Advanced Materials Corporation', ['Dalian Institute of Chemical Physics'], ['DMTO']),
        ('nust-nri', 'Northern Research Institute of NUST', ['Nanjing University of Science and Technology'], ['High-power fibre laser']),
        ('southwest-aluminium', 'Southwest Aluminum Group Co.', ['Chongqing Institute of Nanometal'], ['Gradient nano straightening roller technology']),
    ]),
    Case('pilot-platforms', {'region': 'Tianjin'}, ['region', 'field', 'kind', 'id', 'name'], [
        ('Tianjin', None, 'PilotProject', 'ev-charging-project', 'EV charging and smart grid scale-up project'),
        ('Tianjin', None, 'PilotProject', 'fibre-laser-project', 'High-power fibre laser scale-up project'),
        ('Tianjin', None, 'PilotProject', 'thin-film-battery-project', 'Thin-film lithium battery scale-up project'),
    ]),
    Case('pilot-platforms', {'field': 'carbon materials'}, ['region', 'field', 'kind', 'id', 'name'], [
        ('Zigong, Sichuan', 'carbon materials', 'PilotPlatform', 'carbon-pilot-platform', '碳材院中试平台'),
    ]),
    Case('money-flows', {'currency': 'USD'}, ['from', 'how', 'to', 'amount', 'currency', 'source'], [
        ('AAC Technologies', 'INVESTS_IN', '诚瑞光学智能制造产业园', 800000000.0, 'USD', 'ceweekly-liangjiang'),
    ]),
    Case('alliance-members', {'alliance': 'biomed-alliance'}, ['alliance', 'member', 'role', 'region'], [
    ]),
    Case('founders', {'people_only': True}, ['organisation', 'founder', 'founder_kind'], [
        ('Braille display start-up of Li Cheng', 'Li Cheng', 'person'),
        ('Levima Advanced Materials Corporation', 'Zheng Yueming', 'person'),
        ('Tianjin Zhizaoxing Education Science and Technology Co., Ltd.', 'Liu Yi', 'person'),
        ('誉存科技', '陈玮', 'person'),
    ]),
    Case('find-entity', {'text': '两江', 'limit': 3}, ['id', 'name', 'name_zh', 'region'], [
        ('biomed-alliance', '两江新区生物医药创新服务联盟', '两江新区生物医药创新服务联盟', 'Chongqing'),
        ('cia-sharing-platform', '两江协同创新区共享服务平台', None, 'Chongqing'),
        ('icv-project', '两江新区智能车联网项目', '两江新区智能车联网项目', 'Chongqing'),
    ]),
    Case('shortest-directed-path', {'from': 'food-packaging', 'to': 'dicp'}, ['hops', 'names', 'links'], [
    ]),
    Case('entity-relationships', {'id': 'dmto'}, ['direction', 'link', 'other', 'role'], [
        ('out', 'LICENSED_TO', 'levima', None),
        ('out', 'PART_OF_SEGMENT', 'olefins', None),
        ('in', 'ADOPTS', 'levima', None),
        ('in', 'BASED_ON', 'ethylene', None),
        ('in', 'BASED_ON', 'propylene', None),
        ('in', 'DEVELOPS', 'dicp', None),
        ('in', 'GRANTS_TO', 'state-tech-invention-award', None),
    ]),
]


@pytest.fixture(scope="module")
def demo_ro(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GraphStore]:
    """One private copy of the demo database for this module's read-only queries."""
    d = tmp_path_factory.mktemp("queries")
    dst = d / "demo.db"
    copy_database(demo_db, dst)
    s = open_store(str(dst))
    try:
        yield s
    finally:
        s.close()


def _normalise(name: str, columns: list[str], rows: list[tuple[Any, ...]], want: list[str]) -> list[tuple[Any, ...]]:
    idx = [columns.index(c) for c in want]
    out = []
    for r in rows:
        cells = [r[i] for i in idx]
        if name not in ORDERED_LISTS:
            cells = [sorted(v) if isinstance(v, list) else v for v in cells]
        out.append(tuple(cells))
    return out


@pytest.mark.parametrize("case", CASES, ids=[f"{c.name}{'-' + '-'.join(map(str, c.params.values())) if c.params else ''}" for c in CASES])
def test_saved_query_returns_the_expected_rows_on_the_demo_graph(demo_ro: GraphStore, case: Case) -> None:
    res = run_query(demo_ro, case.name, case.params)
    assert set(case.columns) <= set(res.columns)
    assert _normalise(case.name, res.columns, res.rows, case.columns) == case.rows


def test_the_library_has_at_least_twenty_queries_and_every_one_is_tested() -> None:
    names = [q.name for q in list_queries()]
    assert len(names) >= 20
    assert sorted(set(c.name for c in CASES)) == sorted(names)


def test_every_query_has_a_bilingual_header_and_declares_the_parameters_it_uses() -> None:
    import re

    for q in list_queries():
        assert q.title_en and q.description, q.name
        assert re.search(r"[\u4e00-\u9fff]", q.title_zh), q.name
        used = set(re.findall(r"\$([A-Za-z_]\w*)", q.cypher))
        assert used == {p.name for p in q.params}, q.name
        for p in q.params:
            assert p.description, (q.name, p.name)


def test_saved_queries_use_only_labels_types_and_keys_of_the_ontology() -> None:
    import re

    from canal.ontology import load_ontology

    onto = load_ontology()
    labels = {c for c, i in onto.classes.items() if i.graph_node}
    types = set(onto.relationship_types)
    for q in list_queries():
        text = re.sub(r"'[^']*'", "''", q.cypher)
        for lab in re.findall(r"\w\s*:\s*([A-Z][a-z][A-Za-z]*)\b", text):
            assert lab in labels, (q.name, lab)
        for group in re.findall(r"\[\w*\s*:\s*([A-Z_|]+)", text):
            for t in group.split("|"):
                assert t in types, (q.name, t)


def test_defaults_are_typed_and_overrides_are_coerced() -> None:
    q = get_query("multi-institute-adopters")
    assert q.bind() == {"min_institutes": 2}
    assert q.bind({"min_institutes": "1"}) == {"min_institutes": 1}
    with pytest.raises(ConfigError, match="no parameter 'nope'"):
        q.bind({"nope": 1})
    with pytest.raises(ConfigError, match="takes a integer"):
        q.bind({"min_institutes": "many"})
    assert coerce_param(QueryParam("b", "boolean"), "no") is False


def test_unknown_query_names_suggest_close_matches() -> None:
    with pytest.raises(ConfigError, match="did you mean technology-canal"):
        get_query("technology-canals")


def test_malformed_headers_are_refused_with_the_reason() -> None:
    with pytest.raises(ConfigError, match="lacks header field"):
        parse_query("x", "// title: only a title\nRETURN 1")
    with pytest.raises(ConfigError, match="parameter type"):
        parse_query("x", "// title: t\n// title_zh: 题\n// description: d\n// param: a (date): when\nRETURN $a")
    with pytest.raises(ConfigError, match="needs --param a"):
        parse_query("x", "// title: t\n// title_zh: 题\n// description: d\n// param: a (string): who\nRETURN $a").bind()


def test_cli_lists_shows_and_runs_saved_queries(demo_db: Path, tmp_path: Path) -> None:
    db = copy_database(demo_db, tmp_path / "demo.db")
    listed = canal_cmd("queries", "list", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == len(list_queries())
    shown = canal_cmd("queries", "show", "lab-fund-links")
    assert shown.returncode == 0 and "实验室与基金之间的最短联系" in shown.stdout and "MATCH" in shown.stdout
    ran = canal_cmd("--db", str(db), "queries", "run", "alliance-member-investors", "--param", "alliance=cas-am-alliance", "--format", "json")
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == [
        {"member": "Levima Advanced Materials Corporation", "role": "chairman unit", "investor": "CAS Holdings", "how": "INVESTS_IN", "amount": 850000000.0, "currency": "CNY"}
    ]
    table = canal_cmd("--db", str(db), "queries", "run", "multi-institute-adopters", "-p", "min_institutes=1")
    assert table.returncode == 0 and "Southwest Aluminum Group Co." in table.stdout and "3 row(s)" in table.stdout
    csv = canal_cmd("--db", str(db), "queries", "run", "find-entity", "-p", "text=DMTO", "--format", "csv")
    assert csv.stdout.splitlines()[:2] == ["id,name,name_zh,region", "dmto,DMTO,DMTO甲醇制烯烃技术,\"Dalian, Liaoning\""]
    bad = canal_cmd("--db", str(db), "queries", "run", "technology-canal", "-p", "colour=red")
    assert bad.returncode != 0 and "no parameter 'colour'" in bad.stderr and "Traceback" not in bad.stderr


def test_pagerank_runs_in_python_on_falkordb_and_ranks_the_liangjiang_hub_first(demo_ro: GraphStore) -> None:
    from canal.queries.analytics import gds_version, pagerank

    assert gds_version(demo_ro) is None
    top = pagerank(demo_ro, top=3)
    assert [(r.id, r.engine) for r in top] == [("liangjiang", "networkx"), ("bmf", "networkx"), ("chongqing", "networkx")]
    assert top[0].score > top[1].score > top[2].score
