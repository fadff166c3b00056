console.log('gen-schema placeholder')
