import { Accounts } from './accounts';

describe(Accounts.name, () => {
  describe('with Pocketful the default broker', () => {
    const sut = new Accounts('pocketful');

    it('writes the default broker\'s accounts bare, however they are named', () => {
      expect(sut.parse('YA0002')).toBe('YA0002');
      expect(sut.parse('ya0002')).toBe('YA0002');
      expect(sut.parse('pocketful:YA0002')).toBe('YA0002');
      expect(sut.parse('Pocketful:ya0002')).toBe('YA0002');
    });

    it("names another broker's accounts with their broker", () => {
      expect(sut.parse('zerodha:ab1234')).toBe('zerodha:AB1234');
      expect(sut.parse('UPSTOX:AB1234')).toBe('upstox:AB1234');
      expect(sut.parse('fyers:XY0001')).toBe('fyers:XY0001');
      expect(sut.parse('dhan:1000000001')).toBe('dhan:1000000001');
    });

    it('keeps two brokers\' accounts of one id apart', () => {
      expect(sut.parse('zerodha:AB1234')).not.toBe(sut.parse('upstox:AB1234'));
      expect(sut.parse('zerodha:AB1234')).not.toBe(sut.parse('AB1234'));
    });

    it.each(['', 'angel:AB1234', ':AB1234', 'zerodha:', 'zerodha:AB:12', 'zerodha:../x', 'a'.repeat(33), 'zerodha:a b', 42, null])(
      'refuses %p',
      (value) => {
        expect(sut.parse(value)).toBeNull();
      },
    );

    it('tells the broker and the id of a canonical account', () => {
      expect(sut.brokerOf('YA0002')).toBe('pocketful');
      expect(sut.idOf('YA0002')).toBe('YA0002');
      expect(sut.brokerOf('zerodha:AB1234')).toBe('zerodha');
      expect(sut.idOf('zerodha:AB1234')).toBe('AB1234');
    });

    it("sends each account to its own broker's login page", () => {
      expect(sut.loginPathOf('YA0002')).toBe('/pocketful/login');
      expect(sut.loginPathOf('zerodha:AB1234')).toBe('/zerodha/login');
      expect(sut.loginPathOf('fyers:XY0001')).toBe('/fyers/login');
    });

    it("picks a broker's own ids out of a list of accounts", () => {
      const accounts = ['YA0002', 'zerodha:AB1234', 'upstox:7BAB12', 'zerodha:CD5678'];
      expect(sut.idsOf('zerodha', accounts)).toEqual(['AB1234', 'CD5678']);
      expect(sut.idsOf('pocketful', accounts)).toEqual(['YA0002']);
      expect(sut.idsOf('fyers', accounts)).toEqual([]);
    });
  });

  describe('with Zerodha the default broker', () => {
    const sut = new Accounts('zerodha');

    it("writes Zerodha's accounts bare and names Pocketful's", () => {
      expect(sut.parse('zerodha:AB1234')).toBe('AB1234');
      expect(sut.parse('AB1234')).toBe('AB1234');
      expect(sut.parse('pocketful:YA0002')).toBe('pocketful:YA0002');
      expect(sut.brokerOf('AB1234')).toBe('zerodha');
      expect(sut.loginPathOf('AB1234')).toBe('/zerodha/login');
      expect(sut.loginPathOf('pocketful:YA0002')).toBe('/pocketful/login');
      expect(sut.idsOf('pocketful', ['AB1234', 'pocketful:YA0002'])).toEqual(['YA0002']);
    });
  });
});
