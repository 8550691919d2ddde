-- Times in epoch milliseconds, as Mattermost keeps them: DeleteAt = 0 is
-- an active account, a time a deactivated one.
CREATE TABLE Users (
  Id VARCHAR(26) NOT NULL,
  CreateAt BIGINT(20) DEFAULT NULL,
  UpdateAt BIGINT(20) DEFAULT NULL,
  DeleteAt BIGINT(20) DEFAULT NULL,
  Username VARCHAR(64) NOT NULL,
  LastPasswordUpdate BIGINT(20) DEFAULT NULL,
  LastActivityAt BIGINT(20) NOT NULL,
  PRIMARY KEY (Id),
  UNIQUE KEY Username (Username)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

CREATE TABLE Teams (
  Id VARCHAR(26) NOT NULL,
  CreateAt BIGINT(20) DEFAULT NULL,
  DeleteAt BIGINT(20) NOT NULL DEFAULT 0,
  DisplayName VARCHAR(64) NOT NULL,
  PRIMARY KEY (Id)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;

INSERT INTO Users (Id, CreateAt, UpdateAt, DeleteAt, Username, LastPasswordUpdate, LastActivityAt) VALUES
  ('aaaaaaaaaaaaaaaaaaaaaaaaaa', 1700000000123, 1700000000456, 0, 'olive', 1700000100000, 0),
  ('bbbbbbbbbbbbbbbbbbbbbbbbbb', 1700000000123, 1700000001000, 1700000001000, 'gone', NULL, 0);
INSERT INTO Teams (Id, CreateAt, DeleteAt, DisplayName) VALUES ('tttttttttttttttttttttttttt', 1700000000000, 0, 'town');
