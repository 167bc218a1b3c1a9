ALTER TABLE `t`
  DROP INDEX `k_b`,
  DROP INDEX `k_c`,
  MODIFY COLUMN `id` bigint(20) NOT NULL AUTO_INCREMENT,
  ADD COLUMN `z` int(11) DEFAULT NULL AFTER `id`,
  MODIFY COLUMN `a` varchar(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL DEFAULT 'n',
  CHANGE COLUMN `b` `b_n` int(11) DEFAULT NULL AFTER `c`,
  ADD KEY `k_c` (`c`,`a`),
  ADD KEY `k_z` (`z`),
  COMMENT='v2';
