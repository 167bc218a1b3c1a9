ALTER TABLE `t`
  MODIFY COLUMN `a` varchar(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL DEFAULT '',
  DEFAULT CHARSET=latin1 COLLATE=latin1_swedish_ci;
