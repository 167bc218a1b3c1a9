CREATE TABLE t (
  id int NOT NULL AUTO_INCREMENT,
  a varchar(32) NOT NULL DEFAULT '',
  b int DEFAULT NULL,
  c datetime DEFAULT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
CREATE TABLE u (
  id int NOT NULL,
  name varchar(40) DEFAULT NULL,
  email varchar(100) DEFAULT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY u_email (email)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
