// The 26 cities' public facts, copied from shared/datasets/yrd26_cities.csv (see its .md
// for sources). Embedded so the generator is a pure function of its options.

export interface CityFact {
  city: string; city_zh: string; province: string; lat: number; lon: number;
  size_class: 'large' | 'medium' | 'small'; gdp2020: number; pop2020: number; terrain_class: string;
}

export const YRD26: readonly CityFact[] = [
  { city: 'Shanghai', city_zh: '上海', province: 'Shanghai', lat: 31.2325, lon: 121.4691, size_class: 'large', gdp2020: 38700.58, pop2020: 2487.09, terrain_class: 'plain' },
  { city: 'Nanjing', city_zh: '南京', province: 'Jiangsu', lat: 32.0614, lon: 118.7914, size_class: 'large', gdp2020: 14818.0, pop2020: 931.97, terrain_class: 'plain with low hills' },
  { city: 'Wuxi', city_zh: '无锡', province: 'Jiangsu', lat: 31.493, lon: 120.3073, size_class: 'large', gdp2020: 12370.5, pop2020: 746.4, terrain_class: 'plain' },
  { city: 'Changzhou', city_zh: '常州', province: 'Jiangsu', lat: 31.8134, lon: 119.9694, size_class: 'large', gdp2020: 7805.32, pop2020: 527.96, terrain_class: 'plain' },
  { city: 'Suzhou', city_zh: '苏州', province: 'Jiangsu', lat: 31.3019, lon: 120.5811, size_class: 'large', gdp2020: 20170.5, pop2020: 1274.96, terrain_class: 'plain' },
  { city: 'Nantong', city_zh: '南通', province: 'Jiangsu', lat: 31.9823, lon: 120.8901, size_class: 'large', gdp2020: 10036.31, pop2020: 772.8, terrain_class: 'plain' },
  { city: 'Yancheng', city_zh: '盐城', province: 'Jiangsu', lat: 33.3488, lon: 120.1586, size_class: 'medium', gdp2020: 5953.38, pop2020: 670.96, terrain_class: 'plain' },
  { city: 'Yangzhou', city_zh: '扬州', province: 'Jiangsu', lat: 32.3961, lon: 119.4075, size_class: 'medium', gdp2020: 6048.33, pop2020: 456.1, terrain_class: 'plain' },
  { city: 'Zhenjiang', city_zh: '镇江', province: 'Jiangsu', lat: 32.1897, lon: 119.4204, size_class: 'medium', gdp2020: 4220.09, pop2020: 321.1, terrain_class: 'plain with low hills' },
  { city: 'Taizhou_JS', city_zh: '泰州', province: 'Jiangsu', lat: 32.4578, lon: 119.9182, size_class: 'medium', gdp2020: 5312.77, pop2020: 451.68, terrain_class: 'plain' },
  { city: 'Hangzhou', city_zh: '杭州', province: 'Zhejiang', lat: 30.2484, lon: 120.2062, size_class: 'large', gdp2020: 16106.0, pop2020: 1196.5, terrain_class: 'hilly-mountainous (west) / plain (east)' },
  { city: 'Ningbo', city_zh: '宁波', province: 'Zhejiang', lat: 29.8629, lon: 121.6204, size_class: 'large', gdp2020: 12409.0, pop2020: 942.0, terrain_class: 'mixed plain and hills' },
  { city: 'Jiaxing', city_zh: '嘉兴', province: 'Zhejiang', lat: 30.7491, lon: 120.7513, size_class: 'medium', gdp2020: 5510.0, pop2020: 541.09, terrain_class: 'plain' },
  { city: 'Huzhou', city_zh: '湖州', province: 'Zhejiang', lat: 30.8964, lon: 120.082, size_class: 'medium', gdp2020: 3201.0, pop2020: 337.22, terrain_class: 'plain (east) / hilly (west)' },
  { city: 'Shaoxing', city_zh: '绍兴', province: 'Zhejiang', lat: 30.0324, lon: 120.5761, size_class: 'small', gdp2020: 6001.0, pop2020: 529.1, terrain_class: 'hilly-mountainous with northern plain' },
  { city: 'Jinhua', city_zh: '金华', province: 'Zhejiang', lat: 29.082, lon: 119.6427, size_class: 'medium', gdp2020: 4704.0, pop2020: 706.17, terrain_class: 'hilly basin' },
  { city: 'Zhoushan', city_zh: '舟山', province: 'Zhejiang', lat: 29.9877, lon: 122.203, size_class: 'small', gdp2020: 1512.0, pop2020: 115.94, terrain_class: 'hilly islands' },
  { city: 'Taizhou_ZJ', city_zh: '台州', province: 'Zhejiang', lat: 28.6593, lon: 121.4163, size_class: 'large', gdp2020: 5263.0, pop2020: 662.72, terrain_class: 'hilly-mountainous with coastal plain' },
  { city: 'Hefei', city_zh: '合肥', province: 'Anhui', lat: 31.8226, lon: 117.2218, size_class: 'large', gdp2020: 10045.72, pop2020: 936.99, terrain_class: 'plain / low hills' },
  { city: 'Wuhu', city_zh: '芜湖', province: 'Anhui', lat: 31.3547, lon: 118.4276, size_class: 'large', gdp2020: 3753.02, pop2020: 364.44, terrain_class: 'plain with hills in south' },
  { city: 'Maanshan', city_zh: '马鞍山', province: 'Anhui', lat: 31.6724, lon: 118.5016, size_class: 'medium', gdp2020: 2186.9, pop2020: 215.99, terrain_class: 'plain with low hills' },
  { city: 'Tongling', city_zh: '铜陵', province: 'Anhui', lat: 30.9475, lon: 117.8059, size_class: 'small', gdp2020: 1003.67, pop2020: 131.17, terrain_class: 'plain with low hills' },
  { city: 'Anqing', city_zh: '安庆', province: 'Anhui', lat: 30.5458, lon: 117.0583, size_class: 'small', gdp2020: 2467.68, pop2020: 416.53, terrain_class: 'mountainous (north-west) / riverine plain' },
  { city: 'Chuzhou', city_zh: '滁州', province: 'Anhui', lat: 32.2579, lon: 118.328, size_class: 'small', gdp2020: 3032.07, pop2020: 398.71, terrain_class: 'hills and plain' },
  { city: 'Chizhou', city_zh: '池州', province: 'Anhui', lat: 30.6584, lon: 117.4837, size_class: 'small', gdp2020: 868.89, pop2020: 134.28, terrain_class: 'hilly-mountainous' },
  { city: 'Xuancheng', city_zh: '宣城', province: 'Anhui', lat: 30.9429, lon: 118.7536, size_class: 'small', gdp2020: 1607.54, pop2020: 250.01, terrain_class: 'hilly-mountainous' },
];
