// title: Members of each alliance with their roles
// title_zh: 各联盟的成员单位及其角色
// description: Membership of alliances, the role of each member (chairman unit, governing unit,
//   capital component...) and the member's region.
// param: alliance (string, default null): only this alliance (id); all alliances when empty
MATCH (o:Organisation)-[m:MEMBER_OF]->(a:Alliance)
WHERE $alliance IS NULL OR a.id = $alliance
RETURN a.name AS alliance, o.name AS member, m.role AS role, o.region AS region
ORDER BY alliance, role, member
