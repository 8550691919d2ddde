-- Application-made ids, as Mattermost (26 characters of base32) and
-- Rocket.Chat (17 of base62) make them, with a hex token beside them.
CREATE TABLE Users (
  Id VARCHAR(26) NOT NULL,
  Username VARCHAR(64) NOT NULL,
  Token CHAR(32) NOT NULL,
  Ref CHAR(26) NOT NULL,
  PRIMARY KEY (Id),
  UNIQUE KEY Username (Username)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE rooms (
  _id VARCHAR(17) NOT NULL,
  name VARCHAR(64) NOT NULL,
  PRIMARY KEY (_id)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
