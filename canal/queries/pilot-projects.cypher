// title: Pilot projects with their technology, host, leader and funding
// title_zh: 中试项目及其技术、承载单位、负责人与资金
// description: For each pilot project: the technology it scales up, the organisations or
//   regions hosting it, the people or organisations leading it and who granted or invested.
MATCH (p:PilotProject)
OPTIONAL MATCH (p)-[:BASED_ON]->(t:Entity)
OPTIONAL MATCH (h:Entity)-[:HOSTS]->(p)
OPTIONAL MATCH (l:Entity)-[:LEADS]->(p)
OPTIONAL MATCH (f:Entity)-[:GRANTS_TO|INVESTS_IN]->(p)
WITH p, collect(DISTINCT t.name) AS technologies, collect(DISTINCT h.name) AS hosts, collect(DISTINCT l.name) AS leaders, collect(DISTINCT f.name) AS funders
RETURN p.id AS project, p.name AS name, technologies, hosts, leaders, funders
ORDER BY project
