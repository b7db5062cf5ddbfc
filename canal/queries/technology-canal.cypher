// title: The whole canal of one technology, from lab to capital
// title_zh: 一项技术从实验室到资本的完整运河
// description: Every organisation on the way of one technology, stage by stage: who developed it,
//   where it was piloted, who adopted or licensed it and what products rest on it, and who put
//   money into the technology, its pilot projects or its adopters.
// param: technology (string, default "dmto"): id of the Technology node
CALL {
  MATCH (o:Organisation)-[r:DEVELOPS]->(t:Technology {id: $technology})
  RETURN 1 AS step, 'research' AS stage, type(r) AS link, o.id AS id, o.name AS name, null AS amount, null AS currency
  UNION ALL
  MATCH (p:PilotProject)-[r:BASED_ON]->(t:Technology {id: $technology})
  RETURN 2 AS step, 'pilot' AS stage, type(r) AS link, p.id AS id, p.name AS name, null AS amount, null AS currency
  UNION ALL
  MATCH (t:Technology {id: $technology})-[r:PILOTED_AT]->(p:PilotPlatform)
  RETURN 2 AS step, 'pilot' AS stage, type(r) AS link, p.id AS id, p.name AS name, null AS amount, null AS currency
  UNION ALL
  MATCH (e:Organisation)-[r:ADOPTS]->(t:Technology {id: $technology})
  RETURN 3 AS step, 'industrialisation' AS stage, type(r) AS link, e.id AS id, e.name AS name, null AS amount, null AS currency
  UNION ALL
  MATCH (t:Technology {id: $technology})-[r:LICENSED_TO|TRANSFERRED_TO]->(e:Organisation)
  RETURN 3 AS step, 'industrialisation' AS stage, type(r) AS link, e.id AS id, e.name AS name, null AS amount, null AS currency
  UNION ALL
  MATCH (x:Product)-[r:BASED_ON]->(t:Technology {id: $technology})
  RETURN 3 AS step, 'industrialisation' AS stage, type(r) AS link, x.id AS id, x.name AS name, null AS amount, null AS currency
  UNION ALL
  MATCH (i:Entity)-[r:INVESTS_IN|GRANTS_TO]->(t:Technology {id: $technology})
  RETURN 4 AS step, 'capital' AS stage, type(r) AS link, i.id AS id, i.name AS name, r.amount AS amount, r.currency AS currency
  UNION ALL
  MATCH (t:Technology {id: $technology})<-[:ADOPTS|BASED_ON]-(x:Entity)<-[r:INVESTS_IN|GRANTS_TO]-(i:Entity)
  RETURN 4 AS step, 'capital' AS stage, type(r) AS link, i.id AS id, i.name AS name, r.amount AS amount, r.currency AS currency
}
RETURN step, stage, link, id, name, amount, currency
ORDER BY step, link, id, amount
