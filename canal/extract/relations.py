"""Relations between mentions: trigger words plus where to look for each end.

A rule names an ontology relationship, a trigger pattern and, for the relationship's
source and target, a search strategy in a small notation:

``L`` nearest allowed mention to the left in the same clause; ``S`` nearest to the left in
the sentence; ``R`` nearest to the right in the clause; ``Q`` nearest to the right in the
sentence; ``T`` the sentence topic (its first allowed mention); ``B`` nearest to the left of
the other end; ``A`` nearest to the right of the other end; ``P`` the last allowed mention
before the sentence; ``U`` the topic of the previous sentence (its first allowed mention). ``|`` gives fall-backs (``L|T``: the clause's left neighbour, else the
topic). "Allowed" means the class fits the relationship's domain or range in the ontology
(:meth:`canal.ontology.Ontology.allows`) and the rule's own narrower list, if any.

>>> from canal.extract.mentions import find_mentions
>>> text = "江宁储能科技有限公司已采用东岳新能源研究院研发的钠离子电池正极材料技术。"
>>> ms = find_mentions(text, "zh")
>>> sorted((r.source.name, r.type, r.target.name) for r in find_relations(text, ms, "zh"))
[('东岳新能源研究院', 'develops', '钠离子电池正极材料技术'), ('江宁储能科技有限公司', 'adopts', '钠离子电池正极材料技术')]
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass

from canal.extract.mentions import VALUE_CLASSES, Mention
from canal.ontology import Ontology, RelationInfo, load_ontology


@dataclass(frozen=True)
class Rule:
    """One trigger pattern for one relationship type."""

    rel: str
    lang: str
    trigger: str
    source: str
    target: str
    confidence: float = 0.75
    source_classes: tuple[str, ...] = ()
    target_classes: tuple[str, ...] = ()
    source_list: bool = False
    target_list: bool = False
    money: bool = False
    name: str = ""
    prefer: tuple[str, ...] = ()
    block: str = ""
    adjacent: bool = False
    pairs_from_first: bool = False  # "A、B、C签署合作协议": A with each of the others


@dataclass(frozen=True)
class Candidate:
    """A relation found in the text, with the evidence span (a sentence) and the rule that fired."""

    type: str
    source: Mention
    target: Mention
    start: int
    end: int
    method: str
    confidence: float
    amount: float | None = None
    currency: str | None = None
    date: str | None = None


_INVESTOR = ("Investor", "GovernmentBody", "Enterprise", "ResearchOrganisation", "PilotPlatform", "Alliance")
_INVESTEE = ("Organisation", "PilotProject")
_ORGS_ONLY = ("Organisation",)
# founded organisations (alliances are not: their founders are members, see the annotation guidelines)
_FOUNDED = ("Fund", "Investor", "ResearchInstitute", "Laboratory", "PilotPlatform", "IndustrialPark", "Incubator", "SharingPlatform", "TechnologyTransferCentre", "Enterprise", "University")

RULES: list[Rule] = [
    # -- Chinese ----------------------------------------------------------------------
    Rule("develops", "zh", r"(?:自主研发|研发|研制|开发|攻克|发明)(?!人员|团队|中心|投入|费用|经费|平台|机构|能力|基地|项目|实力|水平|体系|模式|周期|成本|区|部|工作|活动|生产|和|与|、)", "L|T", "R", 0.75, target_list=True, block=r"由[^，。；]*$"),
    Rule("develops", "zh", r"由(?=[^，。；]{2,30}(?:研发|研制|开发|攻关|发明))", "R", "L|T", 0.7, source_classes=("ResearchOrganisation", "Enterprise", "PilotPlatform"), name="zh-developed-by"),
    Rule("develops", "zh", r"的研发", "T", "L", 0.6, target_list=True, name="zh-develops-obj-left"),
    Rule("develops", "zh", r"源自|源于|来源于|来自|出自", "R", "L|T", 0.6, source_classes=("ResearchOrganisation", "Enterprise"), target_classes=("Technology", "Product"), name="zh-develops-from"),
    Rule("develops", "zh", r"的(?=[^，。；的]{2,20}(?:技术|工艺))", "L", "R", 0.55, source_classes=("ResearchOrganisation",), adjacent=True, name="zh-develops-possessive"),
    Rule("adopts", "zh", r"采用|引入|引进|应用了|使用了", "L|T", "R", 0.7),
    Rule("transferredTo", "zh", r"转让给|转移给|转让予", "S", "R", 0.8),
    Rule("transferredTo", "zh", r"向(?=[^，。；]{2,30}转让)", "S", "R", 0.65, name="zh-transfer-xiang"),
    Rule("licensedTo", "zh", r"许可给|授权给|独占许可", "S", "R", 0.8),
    Rule("licensedTo", "zh", r"(?:授权|许可)(?=[^，。；]{2,30}使用)", "S", "R", 0.7, name="zh-licence-use"),
    Rule("licensedTo", "zh", r"(?:许可|授权)[^，。；]{0,6}获得", "Q", "L|T", 0.7, target_classes=("Organisation",), name="zh-licence-obtained"),
    Rule("transferredTo", "zh", r"被(?=[^，。；]{2,30}受让)", "S|T", "R", 0.7, name="zh-transfer-passive"),
    Rule("transferredTo", "zh", r"受让(?!金额|价格|费)", "Q", "L|T", 0.65, name="zh-transfer-acquired", block=r"被[^，。；]*$"),
    Rule("investsIn", "zh", r"由(?=[^，。；]{2,30}(?:出资|投资|投入)[^，。；]{0,12}(?:设立|建设|组建|兴建))", "R", "L|T", 0.7, money=True, name="zh-invest-passive"),
    Rule("investsIn", "zh", r"(?:计划)?总投资(?=[^。；]{0,20}建设)", "L|T", "Q", 0.6, money=True, name="zh-invest-total-build", source_classes=_INVESTOR, target_classes=_INVESTEE),
    Rule("investsIn", "zh", r"由(?=[^，。；]{2,30}投入)", "R", "L|T", 0.65, money=True, name="zh-invest-input-passive", source_classes=_INVESTOR, target_classes=_INVESTEE),
    Rule("investsIn", "zh", r"共同出资(?:设立|成立|组建)(?:了)?", "L", "R", 0.6, source_list=True, money=True, name="zh-invest-cofound", source_classes=_INVESTOR, target_classes=_INVESTEE),
    Rule("leads", "zh", r"联合(?=[^。；]{2,80}(?:共同)?(?:组建|发起|成立|召开|筹建)[^。；]{0,30}(?:联盟|联合体|共同体))", "L|T", "Q", 0.65, target_classes=("Alliance",), name="zh-lead-with-members"),
    Rule("memberOf", "zh", r"联合(?=[^。；]{2,80}(?:共同)?(?:组建|发起|成立|召开|筹建)[^。；]{0,30}(?:联盟|联合体|共同体))", "R", "Q", 0.6, source_list=True, target_classes=("Alliance",), name="zh-members-with-lead"),
    Rule("memberOf", "zh", r"由(?=[^，。；]{2,40}(?:共同)?(?:发起|组建|成立|筹建))", "R", "L|T|Q", 0.65, source_list=True, target_classes=("Alliance",), name="zh-members-passive"),
    Rule("foundedBy", "zh", r"是(?=[^，。；]{2,40}?(?:共同|联合)?(?:发起|设立|创办|组建|成立|创建|共建)(?:成立|设立)?的)", "L|T", "R", 0.6, target_list=True, target_classes=_ORGS_ONLY, source_classes=_FOUNDED, name="zh-is-founded-by"),
    Rule("foundedBy", "zh", r"由(?=[^，。；]{2,40}(?:设立|创办|创立|组建|发起|共建|成立|出资))", "L|T", "R", 0.7, target_list=True, target_classes=_ORGS_ONLY, source_classes=_FOUNDED, name="zh-founded-by-passive"),
    Rule("foundedBy", "zh", r"(?:共同|联合|合作)?(?:出资|发起)?(?:设立|创办|创立|组建|共建|联合成立|发起成立)(?:了|的)?", "R", "L|T", 0.65, target_list=True, target_classes=_ORGS_ONLY, source_classes=_FOUNDED, block=r"由[^，。；]*$", name="zh-founds"),
    Rule("collaboratesWith", "zh", r"与(?=[^，。；]{2,40}(?:签约|签署|签订|合作|携手|达成|共建|共同))", "L|T", "R", 0.6, target_list=True, target_classes=_ORGS_ONLY, source_classes=_ORGS_ONLY, name="zh-collab-with"),
    Rule("collaboratesWith", "zh", r"(?:签署|签订|签约)(?=[^，。；]{0,12}(?:合作|协议|合同))|(?:战略)?合作签约", "L", "L", 0.6, source_classes=_ORGS_ONLY, target_classes=_ORGS_ONLY, pairs_from_first=True, name="zh-parties-sign"),
    Rule("collaboratesWith", "zh", r"携手|牵手", "L|T", "R", 0.6, target_classes=_ORGS_ONLY, source_classes=_ORGS_ONLY, name="zh-collab-hand"),
    Rule("subOrganisationOf", "zh", r"旗下(?:的)?|下属(?:的)?", "R", "L|T", 0.65, name="zh-sub-under"),
    Rule("subOrganisationOf", "zh", r"的(?:全资|控股)?子公司|的分支机构|的分院|的分公司", "T", "L", 0.65, name="zh-subsidiary-of"),
    Rule("manages", "zh", r"(?:担任|作为)(?=[^，。；]{2,30}(?:管理人|管理机构|运营方))", "L|T", "R", 0.65, name="zh-manager-as"),
    Rule("manages", "zh", r"(?:管理人|管理机构|运营方|运营主体)(?:为|是)", "Q", "L|T", 0.65, name="zh-manager-is"),
    Rule("manages", "zh", r"由(?=[^，。；]{2,30}(?:受托管理|管理运营|运营管理|负责运营|负责管理|运营))", "R", "L|T", 0.65, name="zh-managed-by"),
    Rule("manages", "zh", r"受托管理|负责运营|运营管理|负责管理|承担(?=[^，。；]{2,30}管理)", "L|T", "R", 0.6, name="zh-manages"),
    Rule("manages", "zh", r"的管理(?:公司|人|机构)", "T", "L", 0.6, name="zh-management-company-of"),
    Rule("listedOn", "zh", r"(?:在|于|登陆)(?=[^，。；]{2,20}(?:上市|挂牌))|登陆", "L|T", "R", 0.7, name="zh-listed-on"),
    Rule("produces", "zh", r"(?:生产|量产|投产|推出)(?!线|基地|车间|能力|规模|工艺|过程|和|与)", "L|T", "R", 0.6, target_list=True, name="zh-produces"),
    Rule("hosts", "zh", r"依托(?=[^，。；]{2,30}(?:建设|组建|成立|设立|共建|建立))", "R", "L|T", 0.65, name="zh-relies-on"),
    Rule("hosts", "zh", r"的在孵企业|在孵企业", "S|Q", "L|T", 0.65, source_classes=("Incubator", "IndustrialPark", "PilotPlatform", "SharingPlatform", "University", "ResearchInstitute"), target_classes=("Enterprise",), name="zh-incubated-at"),
    Rule("spinOffOf", "zh", r"孵化(?:了|出)?", "R", "L|T", 0.6, source_classes=("Enterprise",), target_classes=("ResearchOrganisation",), name="zh-incubated-by-research"),
    Rule("hosts", "zh", r"孵化(?:了|出)?", "L|T", "R", 0.6, source_classes=("Incubator", "IndustrialPark", "PilotPlatform"), target_classes=("Enterprise",), name="zh-incubator-hosts"),
    Rule("investsIn", "zh", r"向(?=[^，。；]{2,30}(?:投资|增资|注资|投入))", "L|T", "R", 0.7, money=True, name="zh-invest-xiang", source_classes=_INVESTOR, target_classes=_INVESTEE),
    Rule("investsIn", "zh", r"(?<!总)(?<!计划)(?:投资|增资|注资|入股|投入)(?!使用|运营|生产|运行)(?![^，。；]{0,3}(?:建设|建成|设立|管理|基金|机构|有限|引导|公司))", "L|T", "R", 0.7, money=True, block=r"[向由][^，。；]*$", source_classes=_INVESTOR, target_classes=_INVESTEE),
    Rule("investsIn", "zh", r"领投|跟投|参投", "L", "T|U", 0.7, money=True, source_list=True, target_classes=("Enterprise",), name="zh-invest-round"),
    Rule("investsIn", "zh", r"获得?(?=[^，。；]{2,30}投资)", "R", "L|T", 0.65, money=True, name="zh-invest-received"),
    Rule("grantsTo", "zh", r"资助|补助|补贴|拨付|奖励|扶持资金|专项资金|支持资金|创新资金", "L|T", "R|T", 0.7, money=True),
    Rule("memberOf", "zh", r"加入", "L|T", "R", 0.8, source_list=True, target_classes=("Alliance",)),
    Rule("memberOf", "zh", r"(?:的)?成员单位|的成员|的会员|(?:的)?(?:副理事长|常务理事|理事|会员)单位", "T", "S", 0.75, target_classes=("Alliance",), name="zh-member-of"),
    Rule("memberOf", "zh", r"(?:共同)?发起(?:成立|组建|设立)?(?:的)?", "L", "Q", 0.65, source_list=True, target_classes=("Alliance",), name="zh-founding-member"),
    Rule("leads", "zh", r"由(?=[^，。；]{2,30}牵头)", "R", "S|Q", 0.75, target_classes=("Alliance", "PilotProject", "Organisation"), prefer=("Alliance",), name="zh-led-by"),
    Rule("leads", "zh", r"牵头|领衔|(?<![副务])理事长单位", "L", "Q", 0.7, target_classes=("Alliance", "PilotProject", "Organisation"), prefer=("Alliance",), block=r"由[^，。；]*$"),
    Rule("locatedIn", "zh", r"(?:位于|地处|坐落于)(?=[^，。；]{2,30}的)", "A", "R", 0.75, name="zh-located-attributive"),
    Rule("locatedIn", "zh", r"(?:总部)?(?:位于|地处|坐落于|落户|入驻|设在|落地)", "L|T|A", "R", 0.75),
    Rule("locatedIn", "zh", r"在(?=[^，。；]{2,20}(?:成立|创立|设立|注册|建立|揭牌|启用|开业))", "L|T", "R", 0.6, target_classes=("Region", "IndustrialPark"), name="zh-founded-in"),
    Rule("hosts", "zh", r"建有|设有|拥有|承载|聚集", "L|T", "R", 0.6, target_classes=("PilotPlatform", "Incubator", "SharingPlatform", "TechnologyTransferCentre", "Laboratory", "ResearchInstitute")),
    Rule("spinOffOf", "zh", r"孵化自|脱胎于|衍生自|分拆自", "T", "R", 0.75, source_classes=("Enterprise",), target_classes=("ResearchOrganisation", "Enterprise", "Incubator", "PilotPlatform"), name="zh-spun-from"),
    Rule("spinOffOf", "zh", r"衍生企业|衍生公司|孵化的|分拆", "T", "L|S", 0.75, source_classes=("Enterprise",), target_classes=("ResearchOrganisation", "Enterprise", "Incubator", "PilotPlatform")),
    # -- English ----------------------------------------------------------------------
    Rule("develops", "en", r"\b(?:developed|develops|develop|developing|invented|created|designed)\b(?!\s+by)", "L|W|T", "R", 0.75, target_list=True),
    Rule("develops", "en", r"\b(?:developed|invented|created|designed)\s+by\b", "R", "S", 0.75, name="en-developed-by"),
    Rule("develops", "en", r"\b(?:developed|invented|created|designed)\s+(?:at|in)\b", "R", "S", 0.65, name="en-developed-at"),
    Rule("adopts", "en", r"(?:(?<=after )|(?<=before )|(?<=while )|(?<=by ))adopting\b", "T", "R", 0.7, name="en-adopting"),
    Rule("adopts", "en", r"\b(?:adopted|adopts|adopting|deployed|introduced|uses|applies|applied)\b", "L|W|T", "R", 0.7),
    Rule("transferredTo", "en", r"\btransferred\b|\btransfers\b", "R", "Q", 0.75, name="en-transferred"),
    Rule("licensedTo", "en", r"\bgrant(?:ing|ed|s)?\b(?=(?:[^.;]|(?-i:\.(?!\s+[A-Z]))){0,60}\b(?:rights|licen[cs]e)\s+(?:to|for)\b)", "Q", "R", 0.7, name="en-rights-to", target_classes=_ORGS_ONLY),
    Rule("licensedTo", "en", r"\blicen[cs]ed\b(?=(?:[^.;]|(?-i:\.(?!\s+[A-Z]))){3,60}\bfrom\b)", "R", "L|W", 0.75, name="en-licensed-from"),
    Rule("licensedTo", "en", r"\blicen[cs]ed\b|\blicen[cs]es\b", "R", "Q", 0.75, name="en-licensed"),
    Rule("grantsTo", "en", r"\breceived\b(?=(?:[^.;]|(?-i:\.(?!\s+[A-Z]))){0,60}\b(?:grants?|subsid\w+|seed (?:money|funding)|awards?|funding)\b(?:[^.;]|(?-i:\.(?!\s+[A-Z]))){0,30}\bfrom\b)", "Q", "W|T", 0.65, money=True, name="en-received-grant"),
    Rule("investsIn", "en", r"\breceived\b(?=(?:[^.;]|(?-i:\.(?!\s+[A-Z]))){0,60}\b(?:investment|financing|equity|capital)\b(?:[^.;]|(?-i:\.(?!\s+[A-Z]))){0,30}\bfrom\b)", "Q", "W|T", 0.65, money=True, name="en-received-investment", source_classes=_INVESTOR, target_classes=_INVESTEE),
    Rule("investsIn", "en", r"\braised\b(?=(?:[^.;]|(?-i:\.(?!\s+[A-Z]))){0,60}\bfrom\b)", "Q", "L|W|T", 0.65, money=True, source_list=True, name="en-raised-from", source_classes=_INVESTOR, target_classes=_INVESTEE),
    Rule("investsIn", "en", r"\bprovid\w*\b(?=(?:[^.;]|(?-i:\.(?!\s+[A-Z]))){0,40}\binvestment\b)", "L|W|T", "Q", 0.6, money=True, name="en-provides-investment", source_classes=_INVESTOR, target_classes=_INVESTEE),
    Rule("investsIn", "en", r"\b(?:invested|invests|invest|injected|backed)\b", "L|W|T", "R", 0.75, money=True, source_list=True, target_list=True, source_classes=_INVESTOR, target_classes=_INVESTEE),
    Rule("investsIn", "en", r"\b(?:round|financing|funding round)\s+led\s+by\b", "R", "T", 0.75, money=True, name="en-round-led-by"),
    Rule("investsIn", "en", r"\bparticipation\s+(?:from|of|by)\b", "Q", "T", 0.6, money=False, source_list=True, name="en-round-participation", source_classes=_INVESTOR, target_classes=_INVESTEE),
    Rule("investsIn", "en", r"\b(?:also\s+taking\s+part|also\s+participat\w+|co-invested)\b", "L", "T", 0.6, money=True, name="en-round-participant"),
    Rule("grantsTo", "en", r"\b(?:granted|grants|awarded|provide|provided|subsidi[sz]ed)\b", "L|T", "R", 0.7, money=True),
    Rule("memberOf", "en", r"\b(?:joined|join|joins)\b", "L|T", "R", 0.8, source_list=True, target_classes=("Alliance",)),
    Rule("memberOf", "en", r"\b(?:members|member organi[sz]ations)\s+(?:include|includes|are|such as)\b", "R", "S|P", 0.75, source_list=True, target_classes=("Alliance",), name="en-members-include"),
    Rule("memberOf", "en", r"\badded\b[^.:;]{0,30}\bmembers?\b", "Q", "S", 0.7, source_list=True, target_classes=("Alliance",), name="en-added-members"),
    Rule("memberOf", "en", r"\bmember of\b", "L|T", "R", 0.75, target_classes=("Alliance",), name="en-member-of"),
    Rule("leads", "en", r"\b(?<!round )(?<!financing )led\s+by\b|\bheaded\s+by\b", "R", "S", 0.75, target_classes=("Alliance", "PilotProject", "Organisation"), name="en-led-by", prefer=("Alliance",)),
    Rule("leads", "en", r"\b(?:leads|led)\b(?!\s+by)", "L", "R", 0.6, target_classes=("Alliance", "PilotProject")),
    Rule("locatedIn", "en", r"\b(?:located|based|headquartered|situated)\s+in\b|\bmoved\s+(?:in)?to\b|\bsettled\s+in\b", "L|T", "R", 0.75),
    Rule("locatedIn", "en", r"\bwhere\b(?=(?:[^.;]|(?-i:\.(?!\s+[A-Z]))){0,40}\b(?:is|are)\s+(?:located|based)\b)", "Q", "S", 0.65, name="en-where-located"),
    Rule("locatedIn", "en", r"\b(?:launched|established|founded|set\s+up|opened|inaugurated)\s+in\b", "L|T", "R", 0.6, target_classes=("Region",), name="en-launched-in"),
    Rule("hosts", "en", r"\bhosted\s+by\b", "R", "S", 0.75, name="en-hosted-by"),
    Rule("hosts", "en", r"\b(?:hosts|is\s+home\s+to|houses)\b", "L|T", "R", 0.65),
    Rule("spinOffOf", "en", r"\b(?:spun\s+(?:off|out)\s+(?:from|of)|spin-?(?:off|out)s?\s+(?:of|from)|spinouts?\s+(?:of|from))\b", "S|T", "R", 0.8, source_classes=("Enterprise",)),
    Rule("foundedBy", "en", r"\b(?:set\s+up|established|founded|created|launched|co-?founded|formed)\s+by\b", "L|W|T", "R", 0.7, target_list=True, source_classes=_FOUNDED, name="en-founded-by"),
    Rule("foundedBy", "en", r"\b(?:set\s+up|established|founded|co-?founded|formed)\b(?!\s+(?:by|in|on)\b)", "R", "L|W|T", 0.6, source_list=False, target_list=False, source_classes=_FOUNDED, name="en-founds"),
    Rule("investsIn", "en", r"\binvestors?\s+(?:include|included|includes|are|were|such\s+as)\b", "Q", "L|U", 0.65, source_list=True, money=False, name="en-investors-include", source_classes=_INVESTOR, target_classes=_INVESTEE),
    Rule("investsIn", "en", r"\b(?:founding|early|lead|cornerstone|anchor)\s+investors?\s+in\b", "L|T", "R", 0.7, name="en-investor-in", source_classes=_INVESTOR, target_classes=_INVESTEE),
    Rule("investsIn", "en", r"\b(?:backed|funded|financed)\s+by\b", "R", "L|W|T", 0.65, source_list=True, money=True, name="en-backed-by", source_classes=_INVESTOR, target_classes=_INVESTEE),
    Rule("investsIn", "en", r"\b(?:commit\w*|pledg\w*|allocat\w*)\b(?=(?:[^.;]|(?-i:\.(?!\s+[A-Z]))){0,40}\b(?:to|into|in)\b)", "L|T", "R", 0.6, money=True, name="en-commits-to", source_classes=_INVESTOR, target_classes=_INVESTEE),
    Rule("listedOn", "en", r"\b(?:listed|floated|trades?|traded|IPO)\s+(?:on|in)\b", "L|T", "R", 0.7, name="en-listed-on"),
    Rule("subOrganisationOf", "en", r"\b(?:a\s+)?(?:wholly[- ]owned\s+)?(?:subsidiary|division|unit|arm|part)\s+of\b", "L|T", "R", 0.65, name="en-part-of"),
    Rule("manages", "en", r"\b(?:managed|run|operated|administered)\s+by\b", "R", "L|W|T", 0.65, name="en-managed-by"),
    Rule("manages", "en", r"\b(?:manages|operates|runs|administers)\b", "L|W|T", "R", 0.6, name="en-manages"),
    Rule("locatedIn", "en", r"-based\b", "R|T", "L", 0.6, target_classes=("Region",), name="en-x-based"),
    Rule("collaboratesWith", "en", r"\b(?:partner(?:ed|ing|s)?|collaborat\w+|teamed\s+up|work(?:s|ed|ing)?|signed\s+an?\s+(?:agreement|memorandum|MoU|deal))\s+with\b|\bin\s+partnership\s+with\b", "L|W|T", "R", 0.6, target_list=True, source_classes=_ORGS_ONLY, target_classes=_ORGS_ONLY, name="en-collab"),
    Rule("hosts", "en", r"\b(?:based|incubated|housed|hosted|launched|established|set\s+up|located)\s+at\b|\baffiliated\s+with\b", "R", "L|W|T", 0.65, name="en-based-at"),
    Rule("produces", "en", r"\b(?:makes|manufactures|produces|manufactured|produced)\b(?!\s+by)", "L|W|T", "R", 0.6, target_list=True, name="en-produces"),
]

_CLAUSE = re.compile(r"[，；;：:]|,(?!\s*(?:Ltd|Inc|LLC|Co\b))")
_ZH_SENT = re.compile(r"[^。！？!?\n]+[。！？!?]?")
_EN_SENT_END = re.compile(r"(?<!\b[A-Z])(?<!\bCo)(?<!\bLtd)(?<!\bInc)(?<!\bCorp)(?<!\bMr)(?<!\bDr)(?<!\bNo)(?<!\bSt)[.!?](?=\s+[A-Z\"“(]|\s*$)|\n")
_LIST_SEP = re.compile(r"^\s*(?:、|,|，|和|与|及|以及|and|, and|&|,?\s*(?:alongside|together with|along with)|, with)\s*(?:the\s+)?$")


def sentences(text: str, lang: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end) of the text.

    >>> t = "Greenloop Co., Ltd. joined. Then it grew."
    >>> [t[a:b] for a, b in sentences(t, "en")]
    ['Greenloop Co., Ltd. joined.', 'Then it grew.']
    """
    spans: list[tuple[int, int]] = []
    if lang == "zh":
        for m in _ZH_SENT.finditer(text):
            if m.group(0).strip():
                spans.append((m.start(), m.end()))
        return _bounded(spans, text)
    start = 0
    for m in _EN_SENT_END.finditer(text):
        end = m.end() if m.group(0) != "\n" else m.start()
        if text[start:end].strip():
            lead = len(text[start:end]) - len(text[start:end].lstrip())
            spans.append((start + lead, end))
        start = m.end()
    if text[start:].strip():
        lead = len(text[start:]) - len(text[start:].lstrip())
        spans.append((start + lead, len(text.rstrip())))
    return _bounded(spans, text)


MAX_SENTENCE = 400
"""Longer "sentences" (text without sentence ends) are cut at clause breaks into pieces this long."""
_SOFT_BREAK = re.compile(r"[，,、：:]\s*|\s+")


def _bounded(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Sentences of at most :data:`MAX_SENTENCE` characters (keeps rule matching linear)."""
    if all(b - a <= MAX_SENTENCE for a, b in spans):
        return spans
    out: list[tuple[int, int]] = []
    for a, b in spans:
        while b - a > MAX_SENTENCE:
            cut = a + MAX_SENTENCE
            ends = [m.end() for m in _SOFT_BREAK.finditer(text, a + MAX_SENTENCE // 2, a + MAX_SENTENCE)]
            if ends:
                cut = ends[-1]
            out.append((a, cut))
            a = cut
        if b > a:
            out.append((a, b))
    return out


class _Sentence:
    def __init__(self, text: str, start: int, end: int, mentions: list[Mention], before: list[Mention]) -> None:
        self.text = text
        self.start = start
        self.end = end
        self.ms = [m for m in mentions if m.cls not in VALUE_CLASSES]
        self.values = [m for m in mentions if m.cls in VALUE_CLASSES]
        self.before = before
        self.prev_start = 0  # where the previous sentence starts ("U": its topic)

    def clause_start(self, pos: int) -> int:
        cut = self.start
        for m in _CLAUSE.finditer(self.text, self.start, pos):
            cut = m.end()
        return cut

    def clause_end(self, pos: int) -> int:
        m = _CLAUSE.search(self.text, pos, self.end)
        return m.start() if m else self.end


def _fits(onto: Ontology, m: Mention, allowed: Iterable[str], narrow: tuple[str, ...]) -> bool:
    if m.cls not in onto.classes:
        return False
    if narrow and not any(onto.is_a(m.cls, c) for c in narrow):
        return False
    return any(onto.is_a(m.cls, c) for c in allowed)


def _find(
    strategy: str, s: _Sentence, t0: int, t1: int, ok: list[Mention], other: Mention | None, before: list[Mention], prefer: tuple[str, ...] = ()
) -> tuple[Mention | None, str]:
    for step in strategy.split("|"):
        cands: list[Mention] = []
        if step == "L":
            lo = s.clause_start(t0)
            cands = sorted([m for m in ok if lo <= m.start and m.end <= t0], key=lambda m: -m.end)
        elif step == "S":
            cands = sorted([m for m in ok if m.end <= t0], key=lambda m: -m.end)
        elif step == "R":
            hi = s.clause_end(t1)
            cands = sorted([m for m in ok if t1 <= m.start and m.end <= hi], key=lambda m: m.start)
        elif step == "Q":
            cands = sorted([m for m in ok if t1 <= m.start], key=lambda m: m.start)
        elif step == "W":
            lead = s.text[s.clause_start(t0) : t0].strip().lower()
            if re.match(r"(which|who|that)\b", lead):
                cands = sorted([m for m in ok if m.end <= t0], key=lambda m: -m.end)
        elif step == "T":
            cands = sorted(ok, key=lambda m: m.start)
        elif step == "B" and other is not None:
            cands = sorted([m for m in ok if m.end <= other.start], key=lambda m: -m.end)
        elif step == "A" and other is not None:
            cands = sorted([m for m in ok if m.start >= other.end], key=lambda m: m.start)
        elif step == "P":
            cands = list(reversed(before))
        elif step == "U":
            cands = sorted((m for m in before if m.start >= s.prev_start), key=lambda m: m.start)
        cands = [m for m in cands if other is None or ((m.start, m.end) != (other.start, other.end) and m.name != other.name)]
        if prefer:
            cands = sorted(cands, key=lambda m: m.cls not in prefer)
        if cands:
            return cands[0], step
    return None, ""


def _expand(first: Mention, s: _Sentence, ok: list[Mention], text: str) -> list[Mention]:
    """The list a mention belongs to: ``A、B和C`` / ``A, B and C`` (same coarse kind)."""
    out = [first]
    pool = sorted(ok, key=lambda m: m.start)
    i = pool.index(first) if first in pool else -1
    if i < 0:
        return out
    j = i
    while j + 1 < len(pool) and _LIST_SEP.match(text[pool[j].end : pool[j + 1].start]):
        j += 1
        out.append(pool[j])
    j = i
    while j - 1 >= 0 and _LIST_SEP.match(text[pool[j - 1].end : pool[j].start]):
        j -= 1
        out.append(pool[j])
    return out


def find_relations(text: str, mentions: list[Mention], lang: str, *, ontology: Ontology | None = None, rules: list[Rule] | None = None) -> list[Candidate]:
    """Candidate relations in ``text`` between ``mentions`` (de-duplicated, best confidence kept)."""
    onto = ontology or load_ontology()
    rules = [r for r in (rules if rules is not None else RULES) if r.lang == lang]
    found: dict[tuple[str, str, str], Candidate] = {}
    seen_before: list[Mention] = []
    prev_start = 0
    ordered = sorted(mentions, key=lambda m: m.start)
    starts = [m.start for m in ordered]
    for a, b in sentences(text, lang):
        lo, hi = bisect.bisect_left(starts, a), bisect.bisect_left(starts, b)
        in_sent = [m for m in ordered[lo:hi] if m.end <= b]
        s = _Sentence(text, a, b, in_sent, list(seen_before))
        s.prev_start = prev_start
        prev_start = a
        fired: dict[str, list[tuple[int, int]]] = {}
        for rule in rules:
            _apply_rule(rule, s, text, lang, onto, fired, found)
        seen_before.extend(s.ms)
    return sorted(found.values(), key=lambda c: (c.start, c.type, c.source.name, c.target.name))


def _apply_rule(
    rule: Rule,
    s: _Sentence,
    text: str,
    lang: str,
    onto: Ontology,
    fired: dict[str, list[tuple[int, int]]],
    found: dict[tuple[str, str, str], Candidate],
) -> None:
    """Fire ``rule`` at each of its triggers in sentence ``s``: resolve both ends, then record the candidates in ``found``."""
    a, b = s.start, s.end
    info = onto.relation(rule.rel)
    src_ok = [m for m in s.ms if _fits(onto, m, info.domain or ("Entity",), rule.source_classes)]
    tgt_ok = [m for m in s.ms if _fits(onto, m, info.range or ("Entity",), rule.target_classes)]
    for tm in re.finditer(rule.trigger, text[a:b], flags=0 if lang == "zh" else re.IGNORECASE):
        t0, t1 = a + tm.start(), a + tm.end()
        if t0 == t1:
            t1 = t0 + 1
        if any(x < t1 and t0 < y for x, y in fired.get(rule.rel, [])):
            continue  # a more specific rule (listed earlier) already used this trigger
        if rule.block and re.search(rule.block, text[s.clause_start(t0) : t0]):
            continue
        src_m, tgt_m, how = _pick_ends(rule, info, s, t0, t1, src_ok, tgt_ok, onto)
        if src_m is None or tgt_m is None:
            continue
        if rule.rel == "locatedIn" and tgt_m.cls == "Region":
            # 江苏苏州, 苏州相城区: the most specific of adjacent places
            nxt = {m.start: m for m in tgt_ok if m.cls == "Region"}
            while tgt_m.end in nxt and nxt[tgt_m.end] is not src_m:
                tgt_m = nxt[tgt_m.end]
            if src_m.cls == "Region":
                continue
        if rule.adjacent:
            ends = sorted([src_m, tgt_m], key=lambda m: m.start)
            if ends[0].end != t0 or ends[1].start != t1:
                continue
        fired.setdefault(rule.rel, []).append((t0, t1))
        sources = _expand(src_m, s, src_ok, text) if rule.source_list else [src_m]
        targets = _expand(tgt_m, s, tgt_ok, text) if rule.target_list else [tgt_m]
        if rule.pairs_from_first:
            party = sorted(_expand(src_m, s, src_ok, text), key=lambda m: m.start)
            if len(party) < 2:
                continue
            sources, targets = party[:1], party[1:]
        _record(rule, s, lang, onto, t0, how, sources, targets, found)


def _pick_ends(
    rule: Rule, info: RelationInfo, s: _Sentence, t0: int, t1: int, src_ok: list[Mention], tgt_ok: list[Mention], onto: Ontology
) -> tuple[Mention | None, Mention | None, str]:
    """Source and target of a trigger at ``t0:t1`` and the strategy steps that found them (a self-contained end first)."""
    how = ""
    order = ("target", "source") if rule.source.split("|")[0] in ("A", "B") else ("source", "target")
    picked: dict[str, Mention | None] = {"source": None, "target": None}
    for end in order:
        strat = rule.source if end == "source" else rule.target
        ok = src_ok if end == "source" else tgt_ok
        other = picked["target" if end == "source" else "source"]
        before = []
        if "P" in strat or "U" in strat:
            allowed = (info.range if end == "target" else info.domain) or frozenset({"Entity"})
            before = [m for m in s.before if _fits(onto, m, allowed, rule.target_classes if end == "target" else rule.source_classes)]
        m, step = _find(strat, s, t0, t1, ok, other, before, rule.prefer if end == "target" else ())
        picked[end] = m
        how += step
    return picked["source"], picked["target"], how


def _record(
    rule: Rule,
    s: _Sentence,
    lang: str,
    onto: Ontology,
    t0: int,
    how: str,
    sources: list[Mention],
    targets: list[Mention],
    found: dict[tuple[str, str, str], Candidate],
) -> None:
    """A candidate per allowed (source, target) pair with its confidence, amount and date; the best per key is kept."""
    for src in sources:
        for tgt in targets:
            if src.name == tgt.name or not onto.allows(rule.rel, src.cls, tgt.cls):
                continue
            conf = rule.confidence * (0.85 if "T" in how or "P" in how else 1.0)
            conf *= min(src.confidence, tgt.confidence) ** 0.5
            if "coreference" in (src.method, tgt.method):
                conf *= 0.9
            amount = currency = None
            if rule.money:
                money = _nearest_value(s.values, "Money", t0)
                if money is not None:
                    amount, currency = money.value
            date = _nearest_value(s.values, "Date", t0)
            cand = Candidate(
                rule.rel, src, tgt, s.start, s.end, f"rule:{rule.name or rule.rel + '-' + lang}:{how}", round(conf, 3),
                amount, currency, date.value if date else None,
            )
            key = (src.name, rule.rel, tgt.name)
            if key not in found or found[key].confidence < cand.confidence:
                found[key] = cand


def _nearest_value(values: list[Mention], cls: str, pos: int) -> Mention | None:
    vs = [v for v in values if v.cls == cls]
    if not vs:
        return None
    return min(vs, key=lambda v: abs(v.start - pos))
