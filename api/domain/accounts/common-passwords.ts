// Widely published leaked-password favourites, Chinese sites' included. Lower case.
export const COMMON_PASSWORDS = new Set(
  `
  !qaz2wsx 000000 00000000 111111 11111111 112233 123123 123321 12341234 12345 123456 1234567 12345678 123456789
  1234567890 123456abc 1234qwer 123654 123abc 123qwe 1314520 1357924680 147258 147258369 159357 168168 1q2w3e4r
  1qaz2wsx 1qazxsw2 3.1415926 518518 5201314 5211314 521521 654321 666666 666888 77777777 888888 88888888
  987654321 99999999 a123456 a123456789 a1b2c3d4 aa123456 abc123 abc123456 abcd1234 admin admin123 admin888
  administrator asd123456 asdfghjkl baseball changeme chen123456 default dragon football guest hello123 huang123
  iloveyou iloveyou1 letmein li123456 liu123456 master michael mima123 mima123456 monkey nicai123 p@ssw0rd
  passw0rd password password1 password123 princess q1w2e3r4 qazwsxedc qq123456 qwe123 qweasd qweasdzxc qwerty
  qwerty123 qwertyuiop root shadow sunshine superman system test123 test1234 trustno1 wang123456 welcome welcome1
  woaini woaini1314 woaini520 wodemima yang123456 zaq12wsx zhang123456 zhao123456 zxc123456 zxcvbnm
`
    .trim()
    .split(/\s+/),
);
