/// The rewriter names `PostgresTemplate.targetDatabase` (PostgresTemplateNames.swift); the template's build itself
/// needs the process machinery, which the fuzz package leaves out.
enum PostgresTemplate {}
