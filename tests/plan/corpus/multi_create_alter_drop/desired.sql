CREATE TABLE t (
  id int NOT NULL AUTO_INCREMENT,
  a varchar(32) NOT NULL DEFAULT '',
  b int DEFAULT NULL,
  c datetime DEFAULT NULL,
  d int DEFAULT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE TABLE u (
  id int NOT NULL,
  name varchar(20) DEFAULT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
