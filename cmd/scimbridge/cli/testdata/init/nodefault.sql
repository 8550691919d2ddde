-- An account table shaped like Spring Security's users: enabled is NOT
-- NULL without a default, so a create that leaves active out (OneLogin's
-- Core template, authentik's default mapping) has no value for it.
CREATE TABLE users (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  username VARCHAR(50) NOT NULL UNIQUE,
  email VARCHAR(255) NULL,
  enabled TINYINT(1) NOT NULL
);
INSERT INTO users (username, email, enabled) VALUES ('ann', 'ann@example.com', 1), ('bob', 'bob@example.com', 0);
