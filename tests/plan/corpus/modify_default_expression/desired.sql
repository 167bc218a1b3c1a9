CREATE TABLE t (
  id int NOT NULL AUTO_INCREMENT,
  a varchar(32) NOT NULL DEFAULT '',
  b int DEFAULT NULL,
  c datetime NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp(),
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
