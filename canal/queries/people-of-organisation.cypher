// title: People of an organisation and its units, with their roles
// title_zh: 机构(含下属单位)的人员及其职务
// description: People who work for, lead or founded an organisation or one of its
//   sub-organisations, with their role when the source gives one.
// param: org (string, default "nust"): id of the organisation
MATCH (u:Organisation)-[:SUB_ORGANISATION_OF*0..3]->(o:Organisation {id: $org})
MATCH (p:Person)-[r:WORKS_FOR|LEADS]->(u)
RETURN p.name AS person, u.name AS unit, type(r) AS link, r.role AS role
ORDER BY person, unit, link
