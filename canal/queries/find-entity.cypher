// title: Find entities by name, Chinese name or alias
// title_zh: 按名称、中文名或别名查找实体
// description: Case-insensitive substring search over name, nameEn, nameZh and aliases.
// param: text (string, default "dmto"): text to look for
// param: limit (integer, default 25): most rows returned
MATCH (n:Entity)
WHERE toLower(n.name) CONTAINS toLower($text)
   OR toLower(coalesce(n.nameEn, '')) CONTAINS toLower($text)
   OR coalesce(n.nameZh, '') CONTAINS $text
   OR any(a IN coalesce(n.aliases, []) WHERE toLower(a) CONTAINS toLower($text))
RETURN n.id AS id, n.name AS name, n.nameZh AS name_zh, n.region AS region
ORDER BY id
LIMIT $limit
