// Display names of vaccine products by their EU DCC code (value set "vaccine-medicinal-product"); a code not listed
// is shown as is.
const PRODUCTS: Record<string, string> = {
  'EU/1/20/1528': 'Comirnaty (Pfizer-BioNTech)',
  'EU/1/20/1507': 'Spikevax (Moderna)',
  'EU/1/21/1529': 'Vaxzevria (AstraZeneca)',
  'EU/1/20/1525': 'Jcovden (Janssen)',
  'EU/1/21/1618': 'Nuvaxovid (Novavax)',
  'BBIBP-CorV': 'Covilo (Sinopharm BBIBP-CorV)',
  CoronaVac: 'CoronaVac (Sinovac)',
  'Sputnik-V': 'Sputnik V (Gamaleya)',
  Abdala: 'Abdala (CIGB)',
  Covishield: 'Covishield (Serum Institute of India)',
};

export const productName = (code: string): string => PRODUCTS[code] ?? code;
