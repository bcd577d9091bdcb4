/**
 * The most common passwords, from the lists published after large breaches (the RockYou,
 * LinkedIn and "top passwords of the year" compilations), with the obvious variants people
 * reach for when a policy asks for length: digits appended, keyboard walks, "password" and
 * "welcome" with a year. Lower case: the check compares case-insensitively, since
 * "Password123!" is no stronger against a guesser than "password123!".
 *
 * Short entries stay in the list although the length rule already refuses them, so the
 * list stays useful if the minimum ever changes.
 */
export const COMMON_PASSWORDS: readonly string[] = [
  '123456', '123456789', '12345678', '12345', '1234567', '1234567890', '123123', '111111', '000000',
  '654321', '666666', '121212', '112233', '123321', '7777777', '888888', '987654321', '1q2w3e4r',
  '1q2w3e4r5t', '1q2w3e4r5t6y', '1qaz2wsx', '1qaz2wsx3edc', 'zaq12wsx', 'qwerty', 'qwerty1', 'qwerty12',
  'qwerty123', 'qwerty1234', 'qwertyuiop', 'qwertyuiop123', 'qwertyuiop1234', 'qwerty123456', 'qwerty12345678',
  'qwertyqwerty', 'asdfgh', 'asdfghjkl', 'asdfghjkl123', 'asdf1234', 'asdfasdf', 'zxcvbnm', 'zxcvbnm123',
  'zxcvbnm12345', 'qazwsx', 'qazwsxedc', 'qazwsxedcrfv', '1234qwer', 'abc123', 'abcd1234', 'abc12345',
  'abc123456', 'abcdef', 'abcdefg', 'abcdefgh', 'abcdefghij', 'abcdefghijkl', 'a1b2c3', 'a1b2c3d4',
  'aa123456', 'password', 'password1', 'password12', 'password123', 'password1234', 'password12345',
  'password123456', 'password!', 'password1!', 'password123!', 'passw0rd', 'p@ssw0rd', 'p@ssword',
  'p@ssw0rd123', 'p@ssword123', 'passw0rd123', 'pa55word', 'pa$$w0rd', 'passpass', 'password2020',
  'password2021', 'password2022', 'password2023', 'password2024', 'password2025', 'password2026',
  'mypassword', 'mypassword123', 'newpassword', 'newpassword123', 'changeme', 'changeme123',
  'changeme1234', 'changemenow', 'letmein', 'letmein1', 'letmein123', 'letmein1234', 'letmeinplease',
  'welcome', 'welcome1', 'welcome123', 'welcome1234', 'welcome12345', 'welcome2024', 'welcome2025',
  'welcome2026', 'welcometo', 'welcomehome', 'admin', 'admin123', 'admin1234', 'admin12345',
  'administrator', 'administrator1', 'root', 'toor', 'rootroot', 'guest', 'guest123', 'test', 'test123',
  'test1234', 'testtest', 'testing123', 'default', 'secret', 'secret123', 'topsecret', 'iloveyou',
  'iloveyou1', 'iloveyou123', 'iloveyou2', 'loveyou', 'lovely', 'love123', 'princess', 'princess1',
  'sunshine', 'sunshine1', 'sunshine123', 'monkey', 'monkey123', 'dragon', 'dragon123', 'football',
  'football1', 'football123', 'baseball', 'baseball1', 'basketball', 'soccer', 'hockey', 'master',
  'master123', 'masterkey', 'shadow', 'superman', 'superman123', 'batman', 'batman123', 'spiderman',
  'starwars', 'pokemon', 'michael', 'jennifer', 'jessica', 'charlie', 'daniel', 'ashley', 'jordan',
  'jordan23', 'hunter', 'hunter2', 'thomas', 'robert', 'matthew', 'freedom', 'whatever', 'trustno1',
  'access', 'access14', 'flower', 'cheese', 'chocolate', 'computer', 'internet', 'killer', 'mustang',
  'ginger', 'summer', 'summer2024', 'summer2025', 'winter', 'winter2024', 'winter2025', 'autumn',
  'spring2025', 'q1w2e3r4', 'q1w2e3r4t5', 'q1w2e3r4t5y6', 'zaq1xsw2', 'zaq1zaq1', 'xsw2zaq1',
  '11111111', '111111111', '1111111111', '00000000', '000000000', '0000000000', '12341234',
  '123412341234', '123123123', '123123123123', '123456123456', '123654789', '147258369', '159753',
  '159753123', '159357', '147852369', '123456a', '123456aa', '123456abc', 'a123456', 'a12345678',
  '1234abcd', '123abc', '12345abc', '123qwe', '123qweasd', '123qweasdzxc', 'qwe123', 'qweasd',
  'qweasdzxc', 'qweasdzxc123', '1qazxsw2', 'asd123', 'asdasd', 'zxc123', 'zxcasdqwe', 'aaaaaa',
  'aaaaaaaa', 'aaaaaaaaaaaa', 'abcabc', 'abcabcabc', 'iloveyou12', 'football12', 'baseball12',
  'letmein12', 'welcome12', 'password11', 'password01', 'password007', 'passwordpassword',
  'correcthorsebatterystaple', 'therapist', 'therapist123', 'counselor', 'counselor123', 'clinic',
  'clinic123', 'confidant', 'confidant123', 'confidant1234', 'healthcare', 'healthcare1', 'hospital',
  'hospital123', 'doctor', 'doctor123', 'nurse123', 'patient', 'patient123', 'group123', 'session123',
];
