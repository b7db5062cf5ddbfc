// title: Technologies of an institute (and its sub-organisations) and their adopters
// title_zh: 科研机构(含下属机构)的技术及其采用者
// description: The technologies developed by a research organisation or any unit below it,
//   with the unit that developed each one and the organisations that adopted or licensed it
//   (an empty list means the technology has not reached anyone yet).
// param: institute (string, default "nust"): id of the research organisation
MATCH (u:Organisation)-[:SUB_ORGANISATION_OF*0..3]->(i:ResearchOrganisation {id: $institute})
MATCH (u)-[d:DEVELOPS]->(t:Technology)
OPTIONAL MATCH (t)<-[a:ADOPTS]-(e:Organisation)
OPTIONAL MATCH (t)-[l:LICENSED_TO|TRANSFERRED_TO]->(f:Organisation)
WITH t, u, collect(DISTINCT e.name) + collect(DISTINCT f.name) AS reached
UNWIND (CASE WHEN size(reached) = 0 THEN [null] ELSE reached END) AS adopter
WITH t, u, collect(DISTINCT adopter) AS adopters
RETURN t.id AS technology, t.name AS name, u.name AS developed_by, adopters
ORDER BY technology
