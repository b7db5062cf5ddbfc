// title: Pilot-scale platforms and projects by field and region
// title_zh: 按领域和地区划分的中试平台与中试项目
// description: The pilot (中试) stage of the canal: pilot platforms and pilot projects, one row
//   per field, optionally restricted to a region (substring of the region property) and a field.
// param: region (string, default null): only entities whose region contains this text
// param: field (string, default null): only this field
MATCH (p:Entity)
WHERE (p:PilotPlatform OR p:PilotProject)
  AND ($region IS NULL OR p.region CONTAINS $region)
UNWIND (CASE WHEN p.field IS NULL THEN [null] ELSE p.field END) AS f
WITH p, f
WHERE $field IS NULL OR f = $field
RETURN p.region AS region, f AS field, CASE WHEN p:PilotPlatform THEN 'PilotPlatform' ELSE 'PilotProject' END AS kind, p.id AS id, p.name AS name
ORDER BY region, field, kind, id
