CREATE TABLE t (
  a varchar(32) NOT NULL DEFAULT '',
  b int DEFAULT NULL,
  c datetime DEFAULT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
