ALTER TABLE `t`
  ADD UNIQUE KEY `u_a` (`a`);
