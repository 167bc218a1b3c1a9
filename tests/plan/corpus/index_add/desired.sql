CREATE TABLE t (
  id int NOT NULL AUTO_INCREMENT,
  a varchar(32) NOT NULL DEFAULT '',
  b int DEFAULT NULL,
  c datetime DEFAULT NULL,
  PRIMARY KEY (id),
  KEY k_b (b)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
