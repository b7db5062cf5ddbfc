// title: Government bodies, the schemes they run and whom the schemes support
// title_zh: 政府部门、其管理的资助计划及受资助对象
// description: Grants, funds and programmes managed by government bodies, and the organisations,
//   projects or technologies that each scheme granted money to, invested in or enrolled.
// param: body (string, default null): only this government body (id)
MATCH (g:GovernmentBody)-[:MANAGES]->(s:Entity)
WHERE $body IS NULL OR g.id = $body
OPTIONAL MATCH (s)-[r:GRANTS_TO|INVESTS_IN]->(x:Entity)
OPTIONAL MATCH (y:Entity)-[p:PARTICIPATES_IN]->(s)
WITH g, s, collect(DISTINCT x.name) + collect(DISTINCT y.name) AS supported
RETURN g.name AS body, s.name AS scheme, supported
ORDER BY body, scheme
