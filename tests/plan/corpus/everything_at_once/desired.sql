CREATE TABLE t (
  id bigint NOT NULL AUTO_INCREMENT,
  z int DEFAULT NULL,
  a varchar(64) NOT NULL DEFAULT 'n',
  c datetime DEFAULT NULL,
  b_n int DEFAULT NULL,  -- ordo:renamed-from b
  PRIMARY KEY (id),
  KEY k_c (c,a),
  KEY k_z (z)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci COMMENT='v2';
