CREATE TABLE t (
  z tinyint DEFAULT NULL,
  id int NOT NULL AUTO_INCREMENT,
  a varchar(32) NOT NULL DEFAULT '',
  b int DEFAULT NULL,
  c datetime DEFAULT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
