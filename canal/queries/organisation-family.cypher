// title: Units, spin-offs and holdings of a parent organisation
// title_zh: 母体机构的下属单位、衍生企业与持股
// description: The family of an organisation such as the Chinese Academy of Sciences:
//   sub-organisations (up to three levels) and enterprises spun off from it, with the depth.
// param: org (string, default "cas"): id of the parent organisation
CALL {
  MATCH p = (u:Organisation)-[:SUB_ORGANISATION_OF*1..3]->(o:Organisation {id: $org})
  RETURN 'unit' AS kind, length(p) AS depth, u.id AS id, u.name AS name
  UNION
  MATCH (s:Enterprise)-[:SPIN_OFF_OF]->(o:Organisation {id: $org})
  RETURN 'spin-off' AS kind, 1 AS depth, s.id AS id, s.name AS name
}
RETURN kind, depth, id, name
ORDER BY kind DESC, depth, id
